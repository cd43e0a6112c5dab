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
        "実績 シート {cell} の ID「{line_id}」の実績値「{value}」は数値として読めないため、"
        "評価対象外（－）としました。単位「{unit}」の数値だけを入れてください（例: 120）。",
    ),
    "P002": Message(
        W,
        "実績 シート {cell} の ID「{line_id}」の実績値「{value}」は目標値「{target}」と形が合わないため、"
        "評価対象外（－）としました。単位が「{unit}」なので、「1・120」のように数値を「・」で区切って入れてください。",
    ),
    "P003": Message(
        W,
        "{year}年度の実績がマスターに一つもありません。報告書の実績値・達成率・評価は空欄になります。"
        "先に toolkit collect と toolkit merge で回答を取り込んでください。",
    ),
}
