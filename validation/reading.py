"""Finding codes of reading a returned or master workbook (R…): the guards of
:mod:`toolkit.excel.reader` raise them before any parser sees a file."""

from validation.message import Message

E, W = "error", "warning"

MESSAGES: dict[str, Message] = {
    "R001": Message(
        E,
        "ファイルを開けません（{detail}）。ファイルが別のアプリで開かれていないか確認してください。",
    ),
    "R002": Message(
        E,
        "ファイルが空（0 バイト）です。担当課に、保存したファイルをもう一度送ってもらってください。",
    ),
    "R003": Message(
        E,
        "ファイルが大きすぎます（{size_mb} MB）。配布した様式に回答だけを入れて送ってもらってください。",
    ),
    "R004": Message(
        E,
        "Excel ブック（.xlsx）ではありません（CSV・PDF などの名前を変えたもの）。配布した様式に入力し、Excel ブック形式で保存して送ってもらってください。",
    ),
    "R005": Message(
        E,
        "パスワードで暗号化されています。パスワードを外して（ファイル→情報→ブックの保護）保存し直したものを送ってもらってください。",
    ),
    "R006": Message(
        E, "古い Excel 形式（.xls）です。配布した様式（.xlsx）に入力して送ってもらってください。"
    ),
    "R007": Message(
        E, "圧縮を展開すると異常に大きくなるファイルです（zip 爆弾の疑い）。読み込みませんでした。"
    ),
    "R008": Message(
        E,
        "Excel ブックの中身（xl/workbook.xml）がありません。配布した様式に入力して保存し直してもらってください。",
    ),
    "R009": Message(
        E,
        "ファイルが壊れているか途中で切れています（{detail}）。もう一度保存して送ってもらってください。",
    ),
    "R010": Message(
        E,
        "ファイル内の {part} に XML の実体宣言（DOCTYPE/ENTITY）があり、安全のため読み込みませんでした。配布した様式に入力し直してもらってください。",
    ),
    "R011": Message(
        E,
        "{part} に様式の範囲を大きく超えるセル（{cell}）があります。配布した様式の範囲内に入力してもらってください。",
    ),
    "R012": Message(
        W,
        "マクロ有効ブック（.xlsm）です。マクロは実行せず、セルの値だけを読みました。次回は配布した .xlsx のまま保存してもらってください。",
    ),
    "R013": Message(W, "Excel の作業中ファイル（~$ で始まる一時ファイル）なので読み飛ばしました。"),
}
