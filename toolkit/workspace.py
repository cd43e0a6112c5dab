"""The workspace: a folder with ``toolkit.toml`` and the master workbook.

Commands find it from the current folder upward, or from ``--workspace``. ``toolkit.toml``
holds the plan name, fiscal year, coordinating section, deadline, allowed values and paths.
"""

from __future__ import annotations

import datetime as dt
import secrets
import shutil
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from toolkit.errors import WorkspaceError

CONFIG_NAME = "toolkit.toml"
SECRET_PATH = Path(".toolkit") / "secret.key"

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
    grade_thresholds: dict[str, float] = field(default_factory=lambda: {"A": 100.0, "B": 80.0})
    form_password: str = ""
    text_limit: int = 400

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
    raise WorkspaceError(
        f"{CONFIG_NAME} が見つかりません（{here} とその上のフォルダ）。"
        "ワークスペースのフォルダで実行するか、--workspace で指定してください。"
        "新しく作るには `toolkit init フォルダ名` を実行します。"
    )


def load_config(root: Path) -> Config:
    """Read ``root/toolkit.toml``; a missing or wrong setting is a :class:`WorkspaceError`."""
    path = root / CONFIG_NAME
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise WorkspaceError(f"{path} がありません。") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise WorkspaceError(f"{path} の書き方が正しくありません: {exc}") from exc
    plan = data.get("plan", {})
    paths = data.get("paths", {})
    try:
        year = int(plan["fiscal_year"])
    except (KeyError, TypeError, ValueError) as exc:
        raise WorkspaceError(
            f"{path} の [plan] fiscal_year に西暦の年度（例: 2021）を書いてください。"
        ) from exc
    deadline = plan.get("deadline")
    if isinstance(deadline, str):
        try:
            deadline = dt.date.fromisoformat(deadline)
        except ValueError as exc:
            raise WorkspaceError(
                f"{path} の deadline は 2022-05-31 の形で書いてください。"
            ) from exc
    if isinstance(deadline, dt.datetime):
        deadline = deadline.date()
    coordinator = str(plan.get("coordinator", "")).strip()
    related = data.get("sections", {}).get("related", [coordinator] if coordinator else [])
    if isinstance(related, str):
        related = [related]
    allowed_data = data.get("allowed")
    allowed = None
    if allowed_data:
        allowed = {str(name): tuple(str(v) for v in items) for name, items in allowed_data.items()}
    grades = {k: float(v) for k, v in data.get("grades", {}).items()} or {"A": 100.0, "B": 80.0}
    return Config(
        root=root,
        plan_name=str(plan.get("name", "")),
        city=str(plan.get("city", "")),
        fiscal_year=year,
        coordinator=coordinator,
        deadline=deadline,
        contact=str(plan.get("contact", "")),
        master=root / paths.get("master", "master.xlsx"),
        inbox=root / paths.get("inbox", "inbox"),
        outputs=root / paths.get("outputs", "outputs"),
        related_sections=tuple(related),
        allowed=allowed,
        grade_thresholds=grades,
        form_password=str(data.get("form", {}).get("password", "")),
        text_limit=int(data.get("form", {}).get("text_limit", 400)),
    )


def open_workspace(workspace: Path | None = None) -> Config:
    """Find and read the workspace (``--workspace`` or from the current folder upward)."""
    root = workspace.resolve() if workspace else find_workspace()
    if workspace and not (root / CONFIG_NAME).is_file():
        raise WorkspaceError(
            f"{root} に {CONFIG_NAME} がありません。`toolkit init {root}` で作成できます。"
        )
    return load_config(root)


def bundled(name: str) -> Path:
    """The path of a file shipped in ``templates_xlsx/``."""
    return Path(str(resources.files("templates_xlsx").joinpath(name)))


def init_workspace(
    folder: Path, example: str | None = None, *, fiscal_year: int | None = None
) -> Config:
    """Create a workspace in ``folder`` (must be empty or new) from the empty template or an example."""
    if (folder / CONFIG_NAME).exists():
        raise WorkspaceError(f"{folder} はすでにワークスペースです（{CONFIG_NAME} があります）。")
    if example is not None and example not in EXAMPLES:
        raise WorkspaceError(f"見本「{example}」はありません。使える見本: {', '.join(EXAMPLES)}")
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
        raise WorkspaceError(
            f"同梱のマスター {source.name} が見つかりません。インストールをやり直してください。"
        )
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, folder / "master.xlsx")
    for sub in ("inbox", "outputs"):
        (folder / sub).mkdir(exist_ok=True)
    (folder / CONFIG_NAME).write_text(_config_text(settings), encoding="utf-8")
    config = load_config(folder)
    config.secret()
    return config


def _config_text(s: dict[str, Any]) -> str:
    deadline = f"deadline = {s['deadline']}\n" if s.get("deadline") else "# deadline = 2022-05-31\n"
    return f"""# 進捗管理ワークスペースの設定（toolkit.toml）
[plan]
name = "{s["plan_name"]}"
city = "{s["city"]}"
fiscal_year = {s["fiscal_year"]}          # 照会する年度（西暦）。令和3年度 = 2021
coordinator = "{s["coordinator"]}"       # 取りまとめ課
{deadline}contact = "{s["contact"]}"      # 様式に載せる問い合わせ先

[paths]
master = "master.xlsx"
inbox = "inbox"        # 回収したファイルを保存するフォルダ
outputs = "outputs"    # 様式・検証結果・報告書の出力先

[sections]
related = ["{s["coordinator"]}"]   # 担当課が「関係課」の行に回答する課

[form]
password = ""          # シート保護のパスワード（空欄なら保護のみ）
text_limit = 400       # 文章欄の文字数の上限（報告書に収まる長さ）

[grades]               # 評価の閾値（達成率 %）: A 達成、B 概ね達成
A = 100
B = 80

# [allowed]            # 選択肢を変えるとき（マスターの 選択肢 シートより優先）
# 進捗状況 = ["実施", "一部実施", "未実施", "完了"]
# 今後の方向性 = ["拡充", "継続", "改善", "縮小", "廃止", "完了"]
# 定性実績 = ["実施", "継続", "発行", "未実施"]
"""
