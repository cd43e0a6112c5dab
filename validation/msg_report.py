"""Finding codes of the report step (P…, for 報告書 Publication), joined into :data:`validation.catalogue.CATALOGUE`.

The report never stops on a bad answer: the line is shown as 評価対象外 and a warning says which
cell of the master's 実績 sheet to correct. Failures that stop ``toolkit report`` (no Chromium,
an unusable template) are the texts below, raised as :class:`toolkit.errors.ToolkitError`.
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

PDF_NO_CHROMIUM = (
    "PDF を作るには Chromium が必要ですが、見つかりません（chromium / chromium-browser / google-chrome）。"
    "Debian / Ubuntu では `sudo apt-get install chromium fonts-noto-cjk` でインストールしてから、"
    "もう一度 `toolkit report --format pdf` を実行してください。"
    "PDF なしでよければ `--format html,xlsx` を指定してください（HTML をブラウザで開いて印刷することもできます）。"
)
PDF_FAILED = "Chromium で PDF を作れませんでした（{detail}）。HTML ({html}) をブラウザで開いて PDF に印刷することもできます。"
UNKNOWN_FORMAT = "出力形式「{value}」は使えません。html, xlsx, pdf, csv から選び、カンマで区切って指定してください（例: --format html,xlsx）。"
TEMPLATE_FAILED = "テンプレート {path} を使えません: {detail}。jinja2 の書き方を確認するか、--template を外して標準のテンプレートを使ってください。"
