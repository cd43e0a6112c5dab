"""The workspace: a folder with ``toolkit.toml`` and the master workbook.

Commands find it from the current folder upward, or from ``--workspace``. ``toolkit.toml``
holds the plan name, fiscal year, coordinating section, deadline, allowed values and paths.
The coordinator edits it by hand: every mistake in it (TOML syntax, a value of the wrong kind,
an unknown table or key) stops the command with a Japanese message naming the file, the key and
what to type (:mod:`validation.msg_stop`, ``S0xx``), never with a traceback.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import shutil
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any

from toolkit.errors import WorkspaceError
from toolkit.plan.scheme import (
    DEFAULT_SCHEME,
    GRADE_KEY,
    KEY_BAND,
    KEY_DISAGREE,
    KEY_GRADE,
    KEY_JUDGED_FIELD,
    KEY_PERIOD,
    KEY_SKIP_WHERE,
    KEY_SKIP_WORDS,
    SCHEME_KEYS,
    is_scheme_key,
    normalise_key,
    parse_scheme,
)
from toolkit.plan.scheme import settings_rows as scheme_settings_rows
from toolkit.plan.wareki import date_label, fiscal_label
from validation.message import StopText
from validation.msg_stop import TOML_REASON_OTHER, TOML_REASONS, stop_message

if TYPE_CHECKING:
    from validation.findings import Finding

CONFIG_NAME = "toolkit.toml"
SECRET_PATH = Path(".toolkit") / "secret.key"

EVALUATION_KEYS = (f"{KEY_GRADE}1", f"{KEY_GRADE}2", f"{KEY_GRADE}3", f"{KEY_GRADE}4", *SCHEME_KEYS)
"""The evaluation keys [grades] takes, as the master's 設定 sheet does (``評価1`` … any number)."""

TABLES: dict[str, tuple[str, ...]] = {
    "plan": ("name", "city", "fiscal_year", "coordinator", "deadline", "contact"),
    "paths": ("master", "inbox", "outputs"),
    "sections": ("related",),
    "form": ("password", "text_limit", "paper"),
    "grades": ("A", "B", *EVALUATION_KEYS),
    "allowed": ("進捗状況", "今後の方向性", "定性実績"),
    "mail": ("from", "request", "reminder", "correction"),
}
"""Every table and key ``toolkit.toml`` may hold; anything else is a typo and stops the command
(a misspelt ``pasword`` would otherwise leave the forms unprotected without a word). [allowed]
takes any list name the master's 選択肢 sheet (or 項目 sheet) uses; these are the default shape's."""

OPEN_TABLES = ("allowed", "grades")
"""Tables whose keys are names from the master (its lists, its grades' codes), not fixed words;
[grades] checks its own keys (:meth:`_Settings.grades`)."""

FISCAL_YEARS = (1989, 2100)
"""The fiscal years a workspace may review (平成元年 to 2100), to catch 和暦 typed as 西暦 (``3``)."""
TEXT_LIMIT_MAX = 32_767
"""Excel's limit on the text of one cell."""
DEFAULT_GRADES = {"A": 100.0, "B": 80.0}
PAPER_SETTINGS = ("auto", "A4", "A3")
"""[form] paper: ``auto`` prints A4 landscape when the form's text stays at 8 pt or more, else A3."""
MAIL_TEMPLATES = ("request", "reminder", "correction")
"""[mail] keys naming a cover-letter template (jinja2) that replaces the one shipped: the request
sent with each form (generate --mail), the reminder to a late section and the correction request
sent with a feedback copy (status --mail)."""
_ADDRESS = re.compile(r"[^@\s<>\"(),;:]+@[^@\s<>\"(),;:]+\.[^@\s<>\"(),;:]+")
_GRADE_EXAMPLES = {"A": "100", "B": "80"}
_TEXT_EXAMPLES = {row[0]: row[1] for row in scheme_settings_rows(DEFAULT_SCHEME)} | {
    KEY_PERIOD: "2018～2022", KEY_BAND: "±3ポイント", KEY_JUDGED_FIELD: "自己評価",
    KEY_SKIP_WORDS: "見込量", KEY_SKIP_WHERE: "区分=見込量",
}  # fmt: skip
_TOML_ONLY = ("M055", "M070", "M073", "M074", "M060", "M061", "M062", "M066")
"""Problems of [grades] that depend on the master (its 設定 sheet, its fields): reported when the
master is read, as findings naming toolkit.toml."""

EXAMPLES: dict[str, dict[str, Any]] = {
    "shimonoseki": {
        "master": "shimonoseki_master.xlsx",
        "plan_name": "第3期下関市地域福祉計画",
        "city": "下関市",
        "fiscal_year": 2021,
        "coordinator": "福祉政策課",
        "deadline": "2022-05-31",
        "contact": "福祉部 福祉政策課 地域福祉係（内線 2345）",
    },
    "yamaguchi": {
        "master": "yamaguchi_master.xlsx",
        "plan_name": "山口市地域福祉計画・山口市地域福祉活動計画",
        "city": "山口市",
        "fiscal_year": 2018,
        "coordinator": "地域福祉課",
        "deadline": "2019-05-31",
        "contact": "健康福祉部 地域福祉課",
    },
    "mine": {
        "master": "mine_master.xlsx",
        "plan_name": "第3次美祢市地域福祉計画・第3次美祢市地域福祉活動計画",
        "city": "美祢市",
        "fiscal_year": 2024,
        "coordinator": "福祉課",
        "deadline": "2025-05-31",
        "contact": "福祉課",
    },
}


@dataclass
class Config:
    """What ``toolkit.toml`` says, with paths made absolute against the workspace folder."""

    root: Path
    plan_name: str
    city: str
    fiscal_year: int
    coordinator: str
    deadline: dt.date | None
    contact: str
    master: Path
    inbox: Path
    outputs: Path
    related_sections: tuple[str, ...]
    allowed: dict[str, tuple[str, ...]] | None = None
    grade_thresholds: dict[str, float] = field(default_factory=lambda: dict(DEFAULT_GRADES))
    grades: dict[str, Any] = field(default_factory=dict)
    """Every [grades] key as written (keys NFKC), for the master loader: the evaluation settings
    the master's 設定 sheet leaves out, and grade codes with their thresholds."""
    form_password: str = ""
    text_limit: int = 400
    form_paper: str = "auto"
    mail_from: str = ""
    mail_templates: dict[str, Path] = field(default_factory=dict)
    """[mail] request / reminder / correction: the coordinator's own cover-letter templates."""

    @property
    def year_dir(self) -> Path:
        """``outputs/<FY>``: where this fiscal year's generated files go."""
        return self.outputs / str(self.fiscal_year)

    def secret(self) -> bytes:
        """The workspace's HMAC key for form identities (created on first use)."""
        path = self.root / SECRET_PATH
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_hex(32), encoding="ascii")
        return path.read_text(encoding="ascii").strip().encode("ascii")


def find_workspace(start: Path | None = None) -> Path:
    """The nearest folder at or above ``start`` holding ``toolkit.toml``."""
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / CONFIG_NAME).is_file():
            return folder
    raise WorkspaceError(stop_message("S001", here=here))


def load_config(root: Path) -> Config:
    """Read ``root/toolkit.toml``; a missing or wrong setting is a :class:`WorkspaceError`."""
    path = root / CONFIG_NAME
    settings = _Settings(path, _read_toml(path))
    settings.check_shape()
    coordinator = settings.text("plan", "coordinator").strip()
    paths = {key: settings.text("paths", key, key) for key in ("inbox", "outputs")}
    return Config(
        root=root,
        plan_name=settings.text("plan", "name"),
        city=settings.text("plan", "city"),
        fiscal_year=settings.fiscal_year(),
        coordinator=coordinator,
        deadline=settings.deadline(),
        contact=settings.text("plan", "contact"),
        master=root / settings.text("paths", "master", "master.xlsx"),
        inbox=root / paths["inbox"],
        outputs=root / paths["outputs"],
        related_sections=settings.related([coordinator] if coordinator else []),
        allowed=settings.allowed(),
        grade_thresholds=settings.grade_thresholds(),
        grades=settings.grades(),
        form_password=settings.text("form", "password"),
        text_limit=settings.text_limit(),
        form_paper=settings.paper(),
        mail_from=settings.mail_from(),
        mail_templates=settings.mail_templates(root),
    )


def open_workspace(workspace: Path | None = None) -> Config:
    """Find and read the workspace (``--workspace`` or from the current folder upward).

    The master must be there: every command works on it (a missing one is misuse, exit code 2).
    """
    root = workspace.resolve() if workspace else find_workspace()
    if workspace and not (root / CONFIG_NAME).is_file():
        raise WorkspaceError(stop_message("S002", root=root))
    config = load_config(root)
    if not config.master.is_file():
        raise WorkspaceError(stop_message("S033", path=config.master))
    return config


# Reading toolkit.toml ---------------------------------------------------------------------------


def _read_toml(path: Path) -> dict[str, Any]:
    """The parsed file; Notepad's UTF-8 with BOM is fine, anything unreadable is a WorkspaceError."""
    try:
        source = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError as exc:
        raise WorkspaceError(stop_message("S003", path=path)) from exc
    except UnicodeDecodeError as exc:
        raise WorkspaceError(stop_message("S005", path=path)) from exc
    except OSError as exc:
        raise WorkspaceError(stop_message("S004", path=path)) from exc
    try:
        return tomllib.loads(source)
    except tomllib.TOMLDecodeError as exc:
        raise WorkspaceError(_syntax_message(path, source, exc)) from exc


_AT = re.compile(r"\s*\(at (?:line (\d+), column (\d+)|end of document)\)\s*$")
_STATEMENT = re.compile(r"^(?P<key>[^=#\[]+?)\s*=\s*(?P<value>[^#]*)")
_BARE_KEY = re.compile(r"[A-Za-z0-9_\-. ]+")
_NOT_TEXT = re.compile(
    r"[\"'\[{].*|[+-]?(\d[\d_]*(\.\d+)?([eE][+-]?\d+)?|inf|nan)|true|false|\d{4}-\d{2}-\d{2}.*"
)


def _syntax_message(path: Path, source: str, exc: tomllib.TOMLDecodeError) -> StopText:
    """「toolkit.toml の N 行 M 列 …」 from tomllib's message (which carries line and column)."""
    found = _AT.search(str(exc))
    reason = str(exc)[: found.start()] if found else str(exc)
    if found and found.group(1):
        line, column = int(found.group(1)), int(found.group(2))
    else:  # at the end of the document: point at its last written line
        lines = source.rstrip().split("\n")
        line, column = len(lines), len(lines[-1]) + 1
    lines = source.splitlines()
    text = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    if reason.startswith(("Unescaped '\\'", "Invalid hex value", "Escaped character")):
        return stop_message("S009", path=path, line=line, column=column, text=text)
    statement = _STATEMENT.match(text)
    if statement:
        key, value = statement.group("key").strip(), statement.group("value").strip()
        if not key.startswith(('"', "'")) and not _BARE_KEY.fullmatch(key):
            return stop_message("S007", path=path, line=line, column=column, key=key, text=text)
        if reason.startswith(_VALUE_REASONS) and value:
            bad = _bad_value(path, key, value)
            if bad is not None:
                return bad
            if reason.startswith("Invalid value") and not _NOT_TEXT.fullmatch(value):
                return stop_message(
                    "S008", path=path, line=line, column=column, key=key, value=value
                )
    return stop_message(
        "S006", path=path, line=line, column=column, reason=_reason(reason), text=text
    )


_VALUE_REASONS = ("Invalid value", "Invalid date", "Expected newline or end of document")
"""tomllib's reasons for a value it cannot read (``福祉政策課`` unquoted, ``2021年度``, ``2022/05/31``)."""


def _reason(english: str) -> str:
    for start, japanese in TOML_REASONS:
        if english.startswith(start):
            return japanese
    return TOML_REASON_OTHER


def _bad_value(path: Path, key: str, value: str) -> StopText | None:
    """The message of a numeric or date key given something TOML cannot read (``2021年度``)."""
    if key == "fiscal_year":
        return stop_message("S021", path=path, value=value)
    if key == "deadline":
        return stop_message("S023", path=path, value=value)
    if key == "text_limit":
        return stop_message("S025", path=path, value=value, high=TEXT_LIMIT_MAX)
    if key in _GRADE_EXAMPLES:
        return stop_message("S026", path=path, key=key, value=value, example=_GRADE_EXAMPLES[key])
    return None


class _Settings:
    """The parsed ``toolkit.toml``, read key by key; each wrong value is a :class:`WorkspaceError`."""

    def __init__(self, path: Path, data: dict[str, Any]) -> None:
        self.path = path
        self.data = data

    def table(self, name: str) -> dict[str, Any]:
        found = self.data.get(name, {})
        return found if isinstance(found, dict) else {}

    def check_shape(self) -> None:
        """Only the known tables, each a table, holding only its known keys, each a value."""
        owner = {key: table for table, keys in TABLES.items() for key in keys}
        for table, value in self.data.items():
            if table not in TABLES:
                self._unknown_top(table, value, owner)
            if not isinstance(value, dict):
                raise WorkspaceError(stop_message("S013", path=self.path, table=table))
            for key, item in value.items():
                if key not in TABLES[table] and table not in OPEN_TABLES:
                    if key in owner:
                        raise WorkspaceError(
                            stop_message(
                                "S016", path=self.path, table=table, key=key, right=owner[key]
                            )
                        )
                    raise WorkspaceError(
                        stop_message(
                            "S011", path=self.path, table=table, key=key, known=_known_keys(table)
                        )
                    )
                if isinstance(item, dict):
                    raise WorkspaceError(stop_message("S012", path=self.path, table=table, key=key))

    def _unknown_top(self, name: str, value: Any, owner: dict[str, str]) -> None:
        known = "、".join(f"[{t}]" for t in TABLES)
        if isinstance(value, dict):
            raise WorkspaceError(stop_message("S010", path=self.path, table=name, known=known))
        if name in owner:
            raise WorkspaceError(stop_message("S015", path=self.path, key=name, table=owner[name]))
        raise WorkspaceError(stop_message("S017", path=self.path, key=name, known=known))

    def text(self, table: str, key: str, default: str = "") -> str:
        value = self.table(table).get(key, default)
        if not isinstance(value, str):
            raise WorkspaceError(
                stop_message("S014", path=self.path, table=table, key=key, value=_shown(value))
            )
        return value

    def fiscal_year(self) -> int:
        plan = self.table("plan")
        if "fiscal_year" not in plan:
            raise WorkspaceError(stop_message("S020", path=self.path))
        value = plan["fiscal_year"]
        if isinstance(value, str) and value.strip().isdecimal():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise WorkspaceError(stop_message("S021", path=self.path, value=_shown(value)))
        low, high = FISCAL_YEARS
        if not low <= value <= high:
            raise WorkspaceError(
                stop_message("S022", path=self.path, value=value, low=low, high=high)
            )
        return value

    def deadline(self) -> dt.date | None:
        value = self.table("plan").get("deadline")
        if value is None or value == "":
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            found = re.fullmatch(r"\s*(\d{4})[-/](\d{1,2})[-/](\d{1,2})\s*", value)
            if found:
                try:
                    return dt.date(*map(int, found.groups()))
                except ValueError:
                    pass
        raise WorkspaceError(stop_message("S023", path=self.path, value=_shown(value)))

    def related(self, default: list[str]) -> tuple[str, ...]:
        value = self.table("sections").get("related", default)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise WorkspaceError(stop_message("S024", path=self.path, value=_shown(value)))
        return tuple(value)

    def text_limit(self) -> int:
        value = self.table("form").get("text_limit", 400)
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or not 1 <= value <= TEXT_LIMIT_MAX
        ):
            raise WorkspaceError(
                stop_message("S025", path=self.path, value=_shown(value), high=TEXT_LIMIT_MAX)
            )
        return value

    def paper(self) -> str:
        value = self.table("form").get("paper", "auto")
        if isinstance(value, str):
            for name in PAPER_SETTINGS:
                if value.strip().casefold() == name.casefold():
                    return name
        raise WorkspaceError(stop_message("S250", path=self.path, value=_shown(value)))

    def mail_from(self) -> str:
        value = self.text("mail", "from").strip()
        if value and not _ADDRESS.fullmatch(value):
            raise WorkspaceError(stop_message("S251", path=self.path, value=value))
        return value

    def mail_templates(self, root: Path) -> dict[str, Path]:
        found = {}
        for key in MAIL_TEMPLATES:
            value = self.text("mail", key).strip()
            if not value:
                continue
            path = root / value
            if not path.is_file():
                raise WorkspaceError(stop_message("S252", path=self.path, key=key, file=path))
            found[key] = path
        return found

    def grade_thresholds(self) -> dict[str, float]:
        """A and B (and any other code given a number) as percent, with the defaults."""
        grades = dict(DEFAULT_GRADES)
        for key, value in self.grades().items():
            if not is_scheme_key(key):
                grades[key] = float(value)
        return grades

    def grades(self) -> dict[str, Any]:
        """[grades]: evaluation settings (text, as the 設定 sheet takes them) and grade codes
        with a threshold (a number, 0–1000); every value read on its own here, the scheme as a
        whole when the master is read (its 設定 sheet wins where both say something)."""
        given: dict[str, Any] = {}
        owner = {key: table for table, keys in TABLES.items() for key in keys if table != "grades"}
        for raw_key, value in self.table("grades").items():
            key = normalise_key(raw_key)
            if is_scheme_key(key):
                given[key] = self._scheme_value(raw_key, key, value)
            elif raw_key in owner:
                raise WorkspaceError(stop_message("S016", path=self.path, table="grades", key=raw_key,
                                                  right=owner[raw_key]))  # fmt: skip
            else:
                given[key] = self._threshold(raw_key, value)
        a, b = given.get("A", DEFAULT_GRADES["A"]), given.get("B", DEFAULT_GRADES["B"])
        if not any(GRADE_KEY.match(k) for k in given) and b > a:
            raise WorkspaceError(stop_message("S027", path=self.path, a=_number(a), b=_number(b)))
        self._check_scheme(given)
        return given

    def _scheme_value(self, raw_key: str, key: str, value: Any) -> Any:
        if isinstance(value, str) or (
            key == KEY_DISAGREE and isinstance(value, int) and not isinstance(value, bool)
        ):
            return value
        example = _TEXT_EXAMPLES.get(key) or _TEXT_EXAMPLES[f"{KEY_GRADE}1"]
        raise WorkspaceError(stop_message("S041", path=self.path, key=raw_key, example=example))

    def _threshold(self, key: str, value: Any) -> float:
        if isinstance(value, str) and len(key) > 3:  # a misspelt setting, not a grade's code
            raise WorkspaceError(stop_message("S040", path=self.path, key=key,
                                              known="、".join(f'"{k}"' for k in (f"{KEY_GRADE}1", *SCHEME_KEYS))))  # fmt: skip
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1000:
            raise WorkspaceError(stop_message("S026", path=self.path, key=key, value=_shown(value),
                                              example=_GRADE_EXAMPLES.get(key, "100")))  # fmt: skip
        return float(value)

    def _check_scheme(self, given: dict[str, Any]) -> None:
        """The scheme [grades] declares on its own (every value readable, grades in order)."""
        settings = {k: v for k, v in given.items() if is_scheme_key(k)}
        _, problems = parse_scheme(settings)
        for problem in problems:
            if problem.code in _TOML_ONLY:
                continue
            from validation.catalogue import message  # every check's words: only when needed

            detail, _ = message(
                problem.code, key=problem.key, value=problem.value, **problem.params
            )
            raise WorkspaceError(stop_message("S042", path=self.path, key=problem.key,
                                              value=problem.value, detail=detail))  # fmt: skip

    def allowed(self) -> dict[str, tuple[str, ...]] | None:
        given = self.table("allowed")
        if not given:
            return None
        for key, value in given.items():
            if (
                not isinstance(value, list)
                or not value
                or not all(isinstance(v, str) and v.strip() for v in value)
            ):
                raise WorkspaceError(
                    stop_message("S028", path=self.path, key=key, value=_shown(value))
                )
        return {str(key): tuple(v.strip() for v in value) for key, value in given.items()}


def _known_keys(table: str) -> str:
    keys = TABLES[table]
    return "、".join(k if _BARE_KEY.fullmatch(k) else f'"{k}"' for k in keys)


def _shown(value: Any) -> str:
    """A TOML value as the coordinator typed it (``true``, ``["a", 1]``, ``2021``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return (
            "["
            + ", ".join(_toml_string(v) if isinstance(v, str) else _shown(v) for v in value)
            + "]"
        )
    if isinstance(value, dict):
        return "{ … }"
    return str(value)


def _number(value: float) -> str:
    return str(int(value)) if value == int(value) else str(value)


def _toml_string(text: str) -> str:
    """``text`` as a TOML basic string (JSON's escapes are TOML's, DEL aside)."""
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def bundled(name: str) -> Path:
    """The path of a file shipped in ``templates_xlsx/``."""
    return Path(str(resources.files("templates_xlsx").joinpath(name)))


def init_workspace(
    folder: Path, example: str | None = None, *, fiscal_year: int | None = None
) -> Config:
    """Create a workspace in ``folder`` (must be empty or new) from the empty template or an example."""
    if (folder / CONFIG_NAME).exists():
        raise WorkspaceError(stop_message("S030", folder=folder))
    if example is not None and example not in EXAMPLES:
        raise WorkspaceError(stop_message("S031", example=example, known=", ".join(EXAMPLES)))
    settings: dict[str, Any] = (
        EXAMPLES[example]
        if example
        else {
            "master": "master_template.xlsx",
            "plan_name": "（計画の名前）",
            "city": "（市の名前）",
            "fiscal_year": dt.date.today().year - (1 if dt.date.today().month < 4 else 0),
            "coordinator": "（取りまとめ課）",
            "deadline": "",
            "contact": "",
        }
    )
    if fiscal_year:
        settings = {**settings, "fiscal_year": fiscal_year}
    source = bundled(str(settings["master"]))
    if not source.is_file():
        raise WorkspaceError(stop_message("S032", name=source.name))
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, folder / "master.xlsx")
        for sub in ("inbox", "outputs"):
            (folder / sub).mkdir(exist_ok=True)
        (folder / CONFIG_NAME).write_text(_config_text(settings), encoding="utf-8")
        config = load_config(folder)
        config.secret()
    except OSError as exc:  # a read-only place, a file in the way, a full disk
        raise WorkspaceError(
            stop_message("S034", folder=folder, detail=exc.strerror or exc)
        ) from exc
    return config


def _config_text(s: dict[str, Any]) -> str:
    deadline = f"deadline = {s['deadline']}" if s.get("deadline") else "# deadline = 2022-05-31"
    q = _toml_string
    return f"""# 進捗管理ワークスペースの設定（toolkit.toml）
# 文字は " で囲みます。# から行末までは説明で、行頭の # を消すとその行が使われます。
[plan]
name = {q(s["plan_name"])}
city = {q(s["city"])}
fiscal_year = {s["fiscal_year"]}          # 照会する年度（西暦）。令和3年度 = 2021
coordinator = {q(s["coordinator"])}       # 取りまとめ課
{deadline}    # 提出期限（2022-05-31 の形）
contact = {q(s["contact"])}      # 様式に載せる問い合わせ先

[paths]
master = "master.xlsx"
inbox = "inbox"        # 回収したファイルを保存するフォルダ
outputs = "outputs"    # 様式・検証結果・報告書の出力先

[sections]
related = [{q(s["coordinator"])}]   # 担当課が「関係課」の行に回答する課

[form]
password = ""          # シート保護のパスワード（空欄なら保護のみ）
text_limit = 400       # 文章欄の文字数の上限（報告書に収まる長さ）
paper = "auto"         # 様式の用紙（横向き）: "auto" は文字が 8 ポイント未満になるとき A3、"A4" か "A3" で固定

[grades]               # 評価の閾値（達成率 %）: A 達成、B 概ね達成
A = 100
B = 80
# 評価の段階・方法はマスターの 設定 シートに書きます（ここにも "評価1" = "A 達成（100%以上）" の形で書けます。両方にあればマスターが優先）

[allowed]              # 選択肢を変えるとき（マスターの 選択肢 シートより優先）。日本語の項目名は " で囲みます
# "進捗状況" = ["実施", "一部実施", "未実施", "完了"]
# "今後の方向性" = ["拡充", "継続", "改善", "縮小", "廃止", "完了"]
# "定性実績" = ["実施", "継続", "発行", "未実施"]

[mail]                 # toolkit generate --mail / toolkit status --mail が作るメールの下書き（.eml）
from = ""              # 差出人のアドレス（空欄ならメールソフトの既定）
# 文面のひな形（jinja2）を変えるときは、ワークスペースからの場所を書きます:
#   request（様式を送る依頼）、reminder（未提出の課への督促）、correction（差戻しの修正依頼）
#   例: request = "mail/依頼.txt"　（書かなければ同梱のひな形を使います）
"""


def deadline_finding(config: Config) -> Finding | None:
    """F002 when toolkit.toml's deadline falls before the fiscal year asked about has ended
    (before April 1 of ``fiscal_year + 1``): most often last year's deadline left when
    fiscal_year was raised, which the forms would print as 提出期限. A warning: a coordinator may
    mean it (an early interim survey)."""
    deadline = config.deadline
    if deadline is None or deadline >= dt.date(config.fiscal_year + 1, 4, 1):
        return None
    from validation.findings import finding

    return finding(
        "F002",
        file="toolkit.toml",
        deadline=deadline.isoformat(),
        deadline_label=date_label(deadline),
        year_label=fiscal_label(config.fiscal_year),
        fiscal_year=config.fiscal_year,
        next_year=config.fiscal_year + 1,
    )
