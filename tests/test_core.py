"""The small core pieces: era years, the workspace config, the message catalogue, findings."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from toolkit.errors import WorkspaceError
from toolkit.plan.wareki import fiscal_label, fiscal_label_both, parse_year, short_label
from toolkit.workspace import find_workspace, load_config
from validation.catalogue import CATALOGUE, ENTRIES
from validation.findings import Severity, count_by_severity, finding

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(
    ("year", "label", "short"),
    [
        (2021, "令和3年度", "R3"),
        (2019, "令和元年度", "R1"),
        (2017, "平成29年度", "H29"),
        (2018, "平成30年度", "H30"),
    ],
)
def test_era_labels(year: int, label: str, short: str) -> None:
    assert fiscal_label(year) == label
    assert short_label(year) == short
    assert parse_year(label) == year
    assert parse_year(short) == year


def test_title_block_label() -> None:
    assert fiscal_label_both(2021) == "令和3年度 (2021年度)"


@pytest.mark.parametrize(
    "text", ["2021", "２０２１", 2021, 2021.0, "R3", "令和3年度", "r3", "令和３年度"]
)
def test_parse_year_forms(text: object) -> None:
    assert parse_year(text) == 2021


@pytest.mark.parametrize("text", ["", None, "来年", "R", 3, True])
def test_parse_year_rejects(text: object) -> None:
    assert parse_year(text) is None


def test_config_defaults_and_related(tmp_path: Path) -> None:
    (tmp_path / "toolkit.toml").write_text(
        '[plan]\nname = "計画"\nfiscal_year = 2022\ncoordinator = "福祉政策課"\ndeadline = 2023-05-31\n',
        encoding="utf-8",
    )
    (tmp_path / "sub").mkdir()
    root = find_workspace(tmp_path / "sub")
    config = load_config(root)
    assert config.fiscal_year == 2022
    assert config.related_sections == ("福祉政策課",)
    assert config.year_dir == tmp_path / "outputs" / "2022"
    assert config.grade_thresholds == {"A": 100.0, "B": 80.0}
    assert len(config.secret()) == 64
    assert config.secret() == config.secret()


def test_config_errors_are_japanese(tmp_path: Path) -> None:
    (tmp_path / "toolkit.toml").write_text("[plan]\nname = 'x'\n", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="fiscal_year"):
        load_config(tmp_path)
    (tmp_path / "toolkit.toml").write_text("[plan\n", encoding="utf-8")
    with pytest.raises(WorkspaceError, match="書き方"):
        load_config(tmp_path)


def test_no_workspace(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceError, match=r"toolkit\.toml"):
        find_workspace(tmp_path)


def test_every_code_used_in_code_is_in_catalogue() -> None:
    used: set[str] = set()
    for path in [*REPO.glob("toolkit/**/*.py"), *REPO.glob("validation/rules*.py")]:
        used |= set(re.findall(r'"([A-Z]\d{3})"', path.read_text(encoding="utf-8")))
    missing = sorted(used - set(ENTRIES))  # findings and stop messages
    assert not missing, f"codes used but not in the catalogue: {missing}"


def test_catalogue_messages_are_japanese_and_render() -> None:
    for code, entry in CATALOGUE.items():
        assert entry.severity in ("error", "warning", "fixed"), code
        assert re.search(r"[ぁ-んァ-ヶ一-龠]", entry.template), code
        f = finding(code, file="a.xlsx", sheet="回答", cell="J12", value="約100")
        # no placeholder left unfilled (a message may show the 報告書 syntax 「{名前}」 itself)
        assert f.message and not re.search(r"\{[A-Za-z_]+\}", f.message), code


def test_console_line_names_the_cell_once() -> None:
    """Every catalogue message, shown on a console line after ``sheet!cell``, names the cell once."""
    for code in CATALOGUE:
        f = finding(code, file="a.xlsx", sheet="回答", cell="J12", value="約100")
        line = f.line()
        assert line.startswith(f"[{code}] 回答!J12 "), line
        # the place shown first, plus the message's own mentions but a leading one
        assert line.count("J12") == 1 + f.message.count("J12") - f.message.startswith("J12"), line
    c020 = finding("C020", sheet="回答", cell="J12", unit="人", field="実績値")
    assert (
        c020.line()
        == "[C020] 回答!J12 実績値が空欄です。この指標の実績値（単位: 人）を入れてください。実績がない場合は「-」を入れてください。"
    )
    assert c020.message.startswith("J12 の実績値")  # the message itself still reads whole in a mail
    assert finding("V001", cell="J1", value="約100").line().startswith("[V001] J1 「約100」")


def test_finding_to_dict_and_counts() -> None:
    f = finding("V001", file="a.xlsx", sheet="回答", cell="J12", value="約100", unit="人")
    data = f.to_dict()
    assert data["severity"] == "error" and data["cell"] == "J12" and "約" in data["message"]
    assert count_by_severity([f, finding("V101", value="１", normalised="1")]) == {
        "error": 1,
        "warning": 0,
        "fixed": 1,
    }
    assert f.severity is Severity.ERROR
    # every field but extra, in the dataclass's order (the collect record and --json keep it)
    assert list(data) == [
        "code", "severity", "message", "file", "sheet", "cell", "value", "section", "line_id",
    ]  # fmt: skip
    assert data["value"] == "約100" and data["file"] == "a.xlsx" and data["sheet"] == "回答"
