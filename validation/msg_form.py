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
}
