"""Finding codes of the form step, generate (joined into :data:`validation.catalogue.CATALOGUE`)."""

from validation.message import Message

W = "warning"

MESSAGES: dict[str, Message] = {
    "F001": Message(
        W,
        "ID {line_id} の行（担当課「{value}」）はどの課の様式にも入りませんでした。"
        "マスターの 指標 シートの担当課に課名を書くか、「関係課」の行なら toolkit.toml の "
        "[sections] related に回答する課を書いてから、もう一度 toolkit generate を実行してください。",
    ),
    "F002": Message(
        W,
        "toolkit.toml の [plan] deadline = {deadline}（提出期限）は、照会する{year_label}"
        "（fiscal_year = {fiscal_year}）が終わる前の日付です。前年度の期限が残っていませんか。"
        "様式と依頼メールには提出期限 {deadline_label} と載ります。{year_label}の実績を照会するなら、"
        "deadline を {next_year}-04-01 以降の日付（例: {next_year}-05-31）にしてください。",
    ),
}
