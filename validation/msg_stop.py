"""Stop messages: the failures that stop a command (S0xx workspace and toolkit.toml, S1xx merge,
S2xx the command line), joined into :data:`validation.catalogue.CATALOGUE`.

Each is raised as a :class:`toolkit.errors.ToolkitError` with
:func:`validation.catalogue.stop_message` and printed as one line; the exception's class decides
the exit code (1 or 2), the entry says what is wrong and what to do, in Japanese.
"""

from typing import Any

from validation.message import STOP, Message, StopText

MESSAGES: dict[str, Message] = {
    # The workspace and its toolkit.toml (raised by toolkit.workspace) ------------------------
    "S001": Message(
        STOP,
        "toolkit.toml が見つかりません（{here} とその上のフォルダ）。"
        "ワークスペースのフォルダで実行するか、--workspace でフォルダを指定してください。"
        "新しく作るには `toolkit init フォルダ名` を実行します。",
    ),
    "S002": Message(
        STOP,
        "{root} に toolkit.toml がありません。ワークスペースのフォルダを指定してください"
        "（新しく作るには `toolkit init {root}`）。",
    ),
    "S003": Message(
        STOP,
        "{path} がありません。ワークスペースのフォルダで実行してください"
        "（新しく作るには `toolkit init フォルダ名`）。",
    ),
    "S004": Message(
        STOP,
        "{path} を読めません。ファイルが別のアプリで開かれていないか、読み取りの権限があるかを確認してください。",
    ),
    "S005": Message(
        STOP,
        "{path} の文字コードが UTF-8 ではありません。メモ帳なら「名前を付けて保存」で"
        "文字コードに「UTF-8」を選んで保存し直してください。",
    ),
    "S006": Message(
        STOP,
        "{path} の {line} 行 {column} 列の書き方が正しくありません: {reason}。{line} 行目: {text}",
    ),
    "S007": Message(
        STOP,
        '{path} の {line} 行 {column} 列: 項目名「{key}」は " で囲んでください。'
        '日本語や記号を含む項目名は "{key}" = … のように書きます。{line} 行目: {text}',
    ),
    "S008": Message(
        STOP,
        '{path} の {line} 行 {column} 列: {key} の値「{value}」は文字なので " で囲んでください'
        '（例: {key} = "{value}"）。数値・日付（2022-05-31）・true / false だけはそのまま書けます。',
    ),
    "S009": Message(
        STOP,
        '{path} の {line} 行 {column} 列: " で囲んだ文字の中には \\ を書けません。'
        'Windows のパスは / で区切るか（"C:/計画/master.xlsx"）、'
        "' で囲んでください（'C:\\計画\\master.xlsx'）。{line} 行目: {text}",
    ),
    "S010": Message(
        STOP,
        "{path} の [{table}] は使えない表です。使える表: {known}。見出しのつづりを確認してください。",
    ),
    "S011": Message(
        STOP,
        "{path} の [{table}] に「{key}」という項目はありません。[{table}] に書ける項目: {known}。",
    ),
    "S012": Message(
        STOP,
        "{path} の [{table}] {key} には値を 1 つ書いてください（表 [{table}.{key}] や {{ … }} ではなく、"
        "{key} = 値 の形です）。",
    ),
    "S013": Message(
        STOP,
        "{path} の {table} は表です。[{table}] の見出しの行を書き、その下に 項目 = 値 を書いてください。",
    ),
    "S014": Message(
        STOP,
        '{path} の [{table}] {key} は文字で書いてください（" で囲みます。例: {key} = "{value}"）。',
    ),
    "S015": Message(
        STOP,
        "{path} の「{key}」が表の見出しより前に書かれています。[{table}] の行の下に移してください。",
    ),
    "S016": Message(
        STOP,
        "{path} の [{table}] にある「{key}」は [{right}] の項目です。[{right}] の行の下に移してください。",
    ),
    "S017": Message(
        STOP,
        "{path} の「{key}」は使えない項目です。項目は表の見出し（{known}）の下に書きます。",
    ),
    "S020": Message(
        STOP,
        "{path} の [plan] fiscal_year がありません。照会する年度を西暦で書いてください"
        "（例: fiscal_year = 2021。令和3年度 = 2021）。",
    ),
    "S021": Message(
        STOP,
        "{path} の [plan] fiscal_year「{value}」は数値ではありません。西暦の年度を数字で書いてください"
        "（例: fiscal_year = 2021。令和3年度 = 2021）。",
    ),
    "S022": Message(
        STOP,
        "{path} の [plan] fiscal_year「{value}」は年度として使えません。西暦で {low}〜{high} の年度を"
        "書いてください（令和3年度 = 2021、令和7年度 = 2025）。",
    ),
    "S023": Message(
        STOP,
        "{path} の [plan] deadline「{value}」は使えません。提出期限は 2022-05-31 の形（西暦-月-日、半角）で"
        "書いてください（例: deadline = 2022-05-31）。",
    ),
    "S024": Message(
        STOP,
        "{path} の [sections] related「{value}」は課名のリストではありません。「関係課」の行に回答する課を、"
        'related = ["福祉政策課", "地域福祉課"] のように " で囲んでカンマで区切り、[ ] で囲んで書いてください。',
    ),
    "S025": Message(
        STOP,
        "{path} の [form] text_limit「{value}」は使えません。文章欄の文字数の上限を 1〜{high} の整数で"
        "書いてください（例: text_limit = 400）。",
    ),
    "S026": Message(
        STOP,
        "{path} の [grades] {key}「{value}」は閾値として使えません。達成率（%）を 0〜1000 の数値で"
        "書いてください（例: {key} = {example}）。",
    ),
    "S027": Message(
        STOP,
        "{path} の [grades] B（{b}）が A（{a}）より大きくなっています。A 達成 の閾値を"
        " B 概ね達成 の閾値以上にしてください（例: A = 100、B = 80）。",
    ),
    "S028": Message(
        STOP,
        '{path} の [allowed] "{key}"「{value}」は選択肢のリストではありません。'
        '"{key}" = ["実施", "未実施"] のように、選択肢を " で囲んでカンマで区切り、'
        "[ ] で囲んで書いてください（1 つ以上）。",
    ),
    "S040": Message(
        STOP,
        "{path} の [grades] に「{key}」という項目はありません。書ける項目: {known}。"
        "評価の記号ごとの閾値なら数値で書きます（例: A = 100）。",
    ),
    "S041": Message(
        STOP,
        '{path} の [grades] "{key}" は文字で書いてください（" で囲みます。例: "{key}" = "{example}"）。',
    ),
    "S042": Message(STOP, '{path} の [grades] "{key}"「{value}」は使えません。{detail}'),
    "S250": Message(
        STOP,
        '{path} の [form] paper「{value}」は使えません。様式の用紙を "auto"（文字が小さくなるときだけ A3）、'
        '"A4" または "A3" のいずれかで書いてください（例: paper = "A3"）。',
    ),
    "S251": Message(
        STOP,
        "{path} の [mail] from「{value}」はメールアドレスではありません。"
        'fukushi@city.example.lg.jp のように書くか、空欄（from = ""）にしてください。',
    ),
    "S252": Message(
        STOP,
        "{path} の [mail] {key} に書かれたひな形 {file} がありません。"
        "ファイルの場所をワークスペースのフォルダからの相対パスで書くか、行を消して同梱のひな形を使ってください。",
    ),
    "S253": Message(
        STOP,
        "メールのひな形 {file} を読めません（{detail}）。差し込みの書き方（二重の波かっこ）と、"
        "使える名前（plan、section、deadline など）を確かめてください。1 行目は「件名: …」です。",
    ),
    "S254": Message(STOP, "メールの下書き {path} を書き込めません: {detail}"),
    "S255": Message(
        STOP,
        "様式 {name} を書き込めません（Excel で開いていれば閉じて、もう一度実行してください）: {detail}",
    ),
    "S256": Message(STOP, "出力先フォルダ {folder} を作れません: {detail}"),
    "S257": Message(
        STOP,
        "様式 {name} を書く処理が二度とも途中で止まりました（メモリ不足のおそれがあります）。"
        "ほかのアプリケーションを閉じて、もう一度実行してください。",
    ),
    "S030": Message(
        STOP,
        "{folder} はすでにワークスペースです（toolkit.toml があります）。別のフォルダを指定してください。",
    ),
    "S031": Message(STOP, "見本「{example}」はありません。使える見本: {known}"),
    "S032": Message(
        STOP,
        "同梱のマスター {name} が見つかりません。インストールをやり直してください（pip install -e .）。",
    ),
    "S033": Message(
        STOP,
        "マスターブック {path} がありません。マスターブックをこの場所に置くか、"
        "toolkit.toml の [paths] master に正しいファイル名を書いてください。",
    ),
    "S034": Message(
        STOP,
        "ワークスペース {folder} を作れませんでした（{detail}）。書き込みのできる場所のフォルダを指定してください。",
    ),
    # Merge (raised by toolkit.merge.run and toolkit.merge.safety) ----------------------------
    "S101": Message(
        STOP,
        "取り込みの途中でマスターブックが変更されました。何も書き込んでいません。もう一度実行してください。",
    ),
    "S102": Message(STOP, "{detail} マスターには何も書き込んでいません。"),
    "S103": Message(STOP, "マスターブック {name} を読めません: {detail}"),
    "S110": Message(
        STOP,
        "マスターブック {name} が Excel などで開かれています（{lock} があります）。"
        "ファイルを保存して閉じてから、もう一度実行してください。何も書き込んでいません。",
    ),
    "S111": Message(
        STOP,
        "別の toolkit merge が実行中です（プロセス {pid}、開始 {started}）。終わってからもう一度実行してください。"
        "実行中のものがないのに表示される場合は {path} を削除してください。",
    ),
    "S112": Message(
        STOP,
        "別の toolkit merge が実行中です（どのプロセスかは不明）。終わってからもう一度実行してください。"
        "実行中のものがないのに表示される場合は {path} を削除してください。",
    ),
    "S113": Message(
        STOP,
        "マスターブックのバックアップを {folder} に作れませんでした（{detail}）。何も書き込んでいません。",
    ),
    "S114": Message(
        STOP,
        "マスターブックを保存できませんでした（{detail}）。元のマスターはそのままです。"
        "ディスクの空き容量と書き込み権限を確認してください。",
    ),
    "S120": Message(
        STOP,
        "回収の記録がありません。先に toolkit collect を実行してください。"
        "（{year}年度の回収の記録は {folder} に作られます。マスターには何も書き込んでいません）",
    ),
    "S121": Message(
        STOP,
        "マスターブック {name} に書き込めませんでした（{detail}）。元のマスターはそのままです。"
        "Excel で開いて「名前を付けて保存」で .xlsx として保存し直してから、もう一度 toolkit merge を実行してください。",
    ),
    # The command line (toolkit.cli) ---------------------------------------------------------
    "S201": Message(
        STOP,
        "回収フォルダ {folder} がありません。回収したファイルを保存したフォルダを指定してください。",
    ),
    "S202": Message(
        STOP,
        "--format「{value}」に空の項目があります（カンマが続いているか、先頭か最後にカンマがあります）。"
        "html,xlsx のように、形式をカンマで区切って続けて書いてください。",
    ),
    "S203": Message(
        STOP,
        "出力形式「{value}」は使えません。{known} から選び、カンマで区切って指定してください（例: --format html,xlsx）。",
    ),
    "S210": Message(
        STOP,
        "コマンド「{name}」はありません。使えるコマンド: {commands}。もしかして「{suggestion}」ですか。",
    ),
    "S211": Message(STOP, "コマンド「{name}」はありません。使えるコマンド: {commands}"),
    "S212": Message(
        STOP,
        "{command} にオプション「{option}」はありません。使えるオプション: {options}。"
        "もしかして「{suggestion}」ですか。",
    ),
    "S213": Message(
        STOP, "{command} にオプション「{option}」はありません。使えるオプション: {options}"
    ),
    "S214": Message(
        STOP, "オプション「{option}」のあとに値を書いてください（例: {option} {metavar}）。"
    ),
    "S215": Message(
        STOP, "オプション「{option}」は値を取りません。「{option}」だけを書いてください。"
    ),
    "S216": Message(STOP, "{command} には{name}を指定してください（{usage}）。"),
    "S217": Message(STOP, "{command} にはオプション {option} が必要です。"),
    "S218": Message(STOP, "{option} に「{value}」は使えません。使えるもの: {choices}"),
    "S219": Message(
        STOP, "{option} に指定した「{value}」はファイルです。フォルダを指定してください。"
    ),
    "S220": Message(
        STOP, "{option} に指定した「{value}」はフォルダです。ファイルを指定してください。"
    ),
    "S221": Message(
        STOP, "{option} に指定した「{value}」が見つかりません。名前と場所を確認してください。"
    ),
    "S222": Message(
        STOP,
        "{option} に指定した「{value}」を読み書きできません。ファイルやフォルダの権限を確認してください。",
    ),
    "S223": Message(
        STOP, "{option} には数値を指定してください（「{value}」は数値ではありません）。"
    ),
    "S224": Message(STOP, "{command} の {option} の値が正しくありません。"),
    "S225": Message(
        STOP,
        '{command} に余分な指定「{args}」があります。フォルダ名などに空白が入るときは " で囲んでください。',
    ),
    "S226": Message(STOP, "コマンドを指定してください。使えるコマンド: {commands}"),
    "S228": Message(
        STOP, "{option} には {bounds}の整数を指定してください（「{value}」は範囲外です）。"
    ),
    "S227": Message(STOP, "{command} の指定が正しくありません。"),
    # toolkit report (raised by toolkit.report) -----------------------------------------------
    "S240": Message(
        STOP,
        "PDF を作るには Chromium 系のブラウザが必要ですが、見つかりません"
        "（chromium / google-chrome / Microsoft Edge）。"
        "Windows では Microsoft Edge か Google Chrome が入っていればそのまま使います。"
        "Debian / Ubuntu では `sudo apt-get install chromium fonts-noto-cjk` でインストールしてから、"
        "もう一度 `toolkit report --format pdf` を実行してください。"
        "PDF なしでよければ `--format html,xlsx` を指定してください（HTML をブラウザで開いて印刷することもできます）。",
    ),
    "S241": Message(
        STOP,
        "テンプレート {path} を使えません: {detail}。jinja2 の書き方を確認するか、"
        "--template を外して標準のテンプレートを使ってください。",
    ),
    "S242": Message(
        STOP,
        "Chromium で PDF を作れませんでした（{detail}）。HTML ({html}) をブラウザで開いて PDF に印刷することもできます。",
    ),
    "S243": Message(
        STOP,
        "--year「{value}」は年度として読めません。2022 や R4、令和4年度 のように書いてください"
        "（省略すると toolkit.toml の年度 {year} です）。",
    ),
    "S230": Message(STOP, "使い方は「{command} --help」で表示できます。"),
    "S231": Message(STOP, "中断しました。"),
    # collect (toolkit.collect) ---------------------------------------------------------------
    "S300": Message(
        STOP,
        "--use に指定した「{file}」は回収の記録にありません。受信フォルダ内のファイル名（受信フォルダからの相対パス）か、そのファイルの場所を指定してください。",
    ),
    "S301": Message(
        STOP,
        "--use に指定した「{file}」は{label}のファイルなので使えません。指定できるのは、今年度の様式として受理されたファイルだけです。",
    ),
    "S302": Message(
        STOP,
        "--use に指定した「{file}」に当てはまるファイルが複数あります（{files}）。受信フォルダからの相対パスで指定してください。",
    ),
    "S303": Message(
        STOP,
        "受け取ったファイルの控えを {folder} に保存できません（{detail}）。ディスクの空き容量と書き込み権限を確認してください。",
    ),
    "S304": Message(
        STOP,
        "検証結果を {folder} に書き込めません（{detail}）。Excel で開いていれば閉じて、もう一度実行してください。回収の記録は保存済みです。",
    ),
}

TOML_REASONS: tuple[tuple[str, str], ...] = (
    ("Invalid statement", "項目 = 値 の形になっていません"),
    (
        "Invalid value",
        '値として読めません（文字は " で囲み、数値・日付・true / false はそのまま書きます）',
    ),
    ("Expected '=' after a key", "項目名のあとに = がありません"),
    ("Expected ']' at the end of a table declaration", "表の見出しを閉じる ] がありません"),
    ("Expected ']]'", "見出しを閉じる ]] がありません"),
    (
        "Expected newline or end of document after a statement",
        "値のあとに余分な文字があります（1 行に書けるのは 項目 = 値 の 1 つで、説明は # のあとに書きます）",
    ),
    ("Invalid date or datetime", "日付として正しくありません（例: 2022-05-31）"),
    ("Unterminated string", '文字を閉じる " がありません'),
    ("Illegal character '\\n'", '文字を閉じる " がありません'),
    ("Illegal character", "使えない文字（制御文字）があります"),
    ("Unclosed array", "[ ] のリストが閉じていません（] がないか、値のあいだの , が抜けています）"),
    ("Unclosed inline table", "{ } が閉じていません"),
    ("Cannot declare", "同じ表の見出しが 2 回あります"),
    ("Cannot overwrite a value", "同じ項目が 2 回書かれています"),
    ("Duplicate inline table key", "同じ項目が 2 回書かれています"),
    ("Cannot mutate immutable namespace", "同じ名前が表と項目の両方に使われています"),
    ("Cannot redefine namespace", "同じ名前が表と項目の両方に使われています"),
    ("Found invalid character", "使えない文字があります"),
    (
        "Invalid initial character for a key part",
        '項目名に使えない文字で始まっています（日本語の項目名は " で囲みます）',
    ),
)
"""tomllib's reasons (the start of its message) in Japanese, for ``S006``; anything else is
「書き方が正しくありません」."""

TOML_REASON_OTHER = "書き方が正しくありません"


def stop_message(code: str, **params: Any) -> StopText:
    """The text of the stop message ``code`` filled with ``params``, for ``raise …Error(…)``.

    The raise site passes parameters only; the words are the entries above. It lives beside them,
    not in :mod:`validation.catalogue` (which re-exports it), so that a command's start
    (``--help``, a bad setting) does not import every check to word one failure.
    """
    return StopText(MESSAGES[code].render(params), code)
