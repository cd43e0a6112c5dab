"""Build the empty master template in templates_xlsx/ (run after changing the master layout)."""

from __future__ import annotations

from pathlib import Path

from toolkit.master.write import write_master
from toolkit.plan.model import Plan

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    """Write ``templates_xlsx/master_template.xlsx``: every sheet, headers only, default lists."""
    plan = Plan(name="", goals=[], policies=[], lines=[], sections=[])
    out = write_master(ROOT / "templates_xlsx" / "master_template.xlsx", plan)
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
