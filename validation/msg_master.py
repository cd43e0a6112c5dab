"""Finding codes raised while loading the master workbook (M…)."""

from validation.message import Message

E, W = "error", "warning"

MESSAGES: dict[str, Message] = {
    "M001": Message(
        E,
        "{sheet} シートがありません。マスター様式（templates_xlsx/master_template.xlsx）のシート名のままにしてください。",
    ),
    "M002": Message(
        E,
        "{sheet} シートの見出し「{column}」が見つかりません。{header_row} 行目に見出しを入れてください。",
    ),
    "M003": Message(
        E,
        "ID「{value}」が {other} と重複しています。ID は一度付けたら変えず、行ごとに別の ID にしてください。",
    ),
    "M004": Message(
        E, "ID が空欄です。新しい行には「T取組No.-連番」（例: T088-1）の形で ID を入れてください。"
    ),
    "M005": Message(
        W,
        "単位「{value}」は単位一覧にありません。単位シートに追加するか、人・回・件・% などの既知の単位にしてください。",
    ),
    "M006": Message(
        E,
        "目標値「{value}」を読み取れません。数値（例: 1,000）、比較付き（例: 25,000人以上）、または 継続・実施 などの語にしてください。",
    ),
    "M007": Message(
        E,
        "担当課「{value}」が担当課シートにありません。担当課シートに課名（または別名）を追加してください。",
    ),
    "M008": Message(
        W, "基準値「{value}」を数値として読み取れません。達成率の計算には使われません。"
    ),
    "M009": Message(W, "現状値「{value}」を数値として読み取れません。"),
    "M010": Message(
        E,
        "方向「{value}」は使えません。増加・減少・維持 のいずれか、または空欄（自動判定）にしてください。",
    ),
    "M011": Message(E, "取組No.「{value}」が数字ではありません。1 以上の整数を入れてください。"),
    "M012": Message(
        E,
        "体系「{value}」が体系シートにありません。「基本目標1 (1)」の形で、体系シートにある組み合わせを入れてください。",
    ),
    "M013": Message(E, "担当課が空欄です。担当課シートにある課名を入れてください。"),
    "M014": Message(
        W,
        "実績シート {cell} の ID「{value}」は指標シートにありません。この行は集計に使われません。",
    ),
    "M015": Message(
        E,
        "実績シート {cell} の年度「{value}」を読み取れません。西暦の年度（例: 2021）を入れてください。",
    ),
    "M016": Message(
        E,
        "実績シートで ID「{value}」の {year} 年度の行が重複しています（{other}）。1 行にまとめてください。",
    ),
    "M017": Message(
        E,
        "単位シート {cell} の種別「{value}」は使えません。整数・小数・割合 のいずれかにしてください。",
    ),
}
