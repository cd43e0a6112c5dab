"""Finding codes of the merge step (G…), joined into :data:`validation.catalogue.CATALOGUE`.

Merge reports conflicts rather than resolving them: each code says what disagrees and what the
coordinator should do about it. ``G004`` (an earlier answer overwritten) is a warning: the
newer answer is merged and the change is recorded in the 履歴 sheet.
"""

from validation.message import Message

E, W = "error", "warning"

MESSAGES: dict[str, Message] = {
    "G001": Message(
        E,
        "ID「{line_id}」の{field}について、担当課の回答が一致しません（{answers}）。"
        "この項目はマスターに書き込んでいません（この行のほかの項目は取り込んでいます）。どちらの値が正しいか担当課に確認し、"
        "マスターの 実績 シートに直接入力するか、訂正した様式を再提出してもらってください。",
    ),
    "G002": Message(
        E,
        "ID「{line_id}」の{field}が、様式の作成後にマスターで変更されています"
        "（様式: 「{issued}」 → マスター: 「{master}」）。この様式のこの行の回答は、どの項目もマスターに書き込んでいません。"
        "変更後の値で様式を作り直して（toolkit generate）再提出してもらうか、"
        "マスターの{field}を様式作成時の値に戻してください。",
    ),
    "G003": Message(
        E,
        "ID「{line_id}」はマスターの 指標 シートにありません。回答は書き込んでいません。"
        "行を削除した場合は不要です。ID を変えた場合は元の ID に戻してから再実行してください。",
    ),
    "G004": Message(
        W,
        "ID「{line_id}」の{field}は、以前に {previous} から取り込んだ値「{old}」を"
        "{source} の値「{new}」で上書きしました（履歴シートに記録済み）。",
    ),
}
