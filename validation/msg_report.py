"""Finding codes of the report step (P…, for 報告書 Publication), joined into :data:`validation.catalogue.CATALOGUE`.

The report never stops on a bad answer: the line is shown as 評価対象外 and a warning says which
cell of the master's 実績 sheet to correct. Failures that stop ``toolkit report`` (no Chromium,
an unusable template, a year that cannot be read) are stop messages S24x in
:mod:`validation.msg_stop`.
"""

from validation.message import Message

W = "warning"

MESSAGES: dict[str, Message] = {
    "P001": Message(
        W,
        "実績 シート {cell} の ID「{line_id}」の{field}「{value}」は数値として読めないため、"
        "評価対象外（－）としました。単位「{unit}」の数値だけを入れてください（例: 120）。",
    ),
    "P002": Message(
        W,
        "実績 シート {cell} の ID「{line_id}」の{field}「{value}」は目標値「{target}」と形が合わないため、"
        "評価対象外（－）としました。単位が「{unit}」なので、「1・120」のように数値を「・」で区切って入れてください。",
    ),
    "P003": Message(
        W,
        "{year}年度の実績がマスターに一つもありません。報告書の実績値・達成率・評価は空欄になります。"
        "先に toolkit collect と toolkit merge で回答を取り込んでください。",
    ),
    "P004": Message(
        W,
        "{year}年度の回答のうち {fields} 項目（{lines} 行: {ids}）は、担当どうしの値が違うため toolkit merge が"
        "マスターに書き込んでいません（競合）。報告書ではその項目を「競合（未確定）」としています。"
        "マスターの 競合 シートで値を確かめ、実績 シートに正しい値を入れてから toolkit merge をもう一度実行し、"
        "報告書を作り直してください。",
    ),
}
