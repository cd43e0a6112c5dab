"""Benchmark (not a test): toolkit.excel.patch against openpyxl load + save.

A master-like workbook (5 sheets: 回答 of LINES lines × 15 columns, 履歴 of 5 × LINES rows, 競合,
設定, 集計) is written with xlsxwriter. Each child process then does one of:

* ``openpyxl``  — openpyxl.load_workbook + save, nothing changed (the floor for any openpyxl edit);
* ``patch``     — patch_workbook: LINES history rows appended, LINES cells of 回答 set;
* ``recompress``— the same patch, but every untouched member inflated and deflated again instead
  of copied as raw compressed bytes (what the raw copy saves).

CPU time is the child's user+sys (``RUSAGE_CHILDREN``), modes alternated, best of REPEAT.
``--large N`` also patches a sheet of N rows (1,000 rows appended) and prints its peak memory.

    PYTHONPATH=. python benchmarks/bench_patch.py [LINES] [--repeat 3] [--large 450000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import resource
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

HISTORY_COLUMNS = [
    "日時",
    "年度",
    "ID",
    "項目",
    "旧値",
    "新値",
    "担当課",
    "ファイル",
    "ハッシュ",
    "備考",
]
ANSWER_COLUMNS = [
    "ID", "年度", "施策", "指標", "単位", "目標値", "実績値", "達成率", "進捗", "評価",
    "課題", "今後の方針", "回答課", "更新日時", "備考",
]  # fmt: skip


def build_master(path: Path, lines: int) -> None:
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    head = wb.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    number = wb.add_format({"num_format": "#,##0.0"})
    ws = wb.add_worksheet("回答")
    ws.write_row(0, 0, ANSWER_COLUMNS, head)
    ws.freeze_panes(1, 2)
    ws.set_column(2, 3, 30)
    for r in range(1, lines + 1):
        ws.write_row(
            r,
            0,
            [
                f"L{r:05d}", 2024, f"施策{r % 40}の推進", f"指標{r}の達成状況", "件",
                100 + r % 7, None, None, "順調" if r % 3 else "遅れ", "B",
                "担当者の確保が課題となっている" if r % 5 == 0 else None,
                "引き続き取り組む", f"課{r % 25}", "2024-05-01 09:00:00", None,
            ],
        )  # fmt: skip
        ws.write_number(r, 6, 90 + r % 11, number)
    ws.autofilter(0, 0, lines, len(ANSWER_COLUMNS) - 1)
    ws.data_validation(1, 8, lines, 8, {"validate": "list", "source": ["順調", "遅れ", "完了"]})
    hist = wb.add_worksheet("履歴")
    hist.write_row(0, 0, HISTORY_COLUMNS, head)
    for r in range(1, 5 * lines + 1):
        hist.write_row(
            r,
            0,
            [
                "2024-05-01 09:00:00", 2024, f"L{r % lines + 1:05d}", "実績値", None, str(r % 97),
                f"課{r % 25}", f"form-{r % 150:03d}.xlsx", f"{r:064x}", None,
            ],
        )  # fmt: skip
    conflicts = wb.add_worksheet("競合")
    conflicts.write_row(0, 0, ["ID", "項目", "値1", "値2", "検出日時"], head)
    for r in range(1, 21):
        conflicts.write_row(r, 0, [f"L{r:05d}", "進捗", "順調", "遅れ", "2024-05-01"])
    settings = wb.add_worksheet("設定")
    settings.write_column(0, 0, ["年度", "締切", "担当"])
    settings.write_column(0, 1, ["2024", "2024-06-30", "企画課"])
    summary = wb.add_worksheet("集計")
    summary.write_row(0, 0, ["進捗", "件数"], head)
    for r, word in enumerate(["順調", "遅れ", "完了"], start=1):
        summary.write_formula(r, 0, f'="{word}"', None, word)
        summary.write_formula(r, 1, f'=COUNTIF(回答!I:I,"{word}")', None, 0)
    wb.close()


def the_edits(lines: int) -> dict:
    from toolkit.excel.patch import SheetEdit

    when = "2024-06-01 10:00:00"
    history = [
        [when, 2024, f"L{r:05d}", "実績値", str(90 + r % 11), str(91 + r % 11), f"課{r % 25}",
         f"form-{r % 150:03d}.xlsx", f"{r:064x}", None]
        for r in range(1, lines + 1)
    ]  # fmt: skip
    cells = {(r, 7): 91 + r % 11 for r in range(2, lines + 2)}
    return {
        "回答": SheetEdit(set_cells=cells),
        "履歴": SheetEdit(append_rows=history),
    }


def child(mode: str, src: Path, out: Path, lines: int) -> None:
    if mode == "openpyxl":
        import openpyxl

        openpyxl.load_workbook(src).save(out)
        return
    from toolkit.excel import patch

    if mode == "recompress":

        def copy_inflating(self: patch._ZipWriter, raw: object, info: zipfile.ZipInfo) -> None:
            with self.member(patch._Meta.of(info)) as write, zipfile.ZipFile(src) as z:
                write(z.read(info.filename))

        patch._ZipWriter.copy_raw = copy_inflating  # type: ignore[assignment,method-assign]
    if mode == "large":
        edit = patch.SheetEdit(append_rows=[[f"追加{i}", i, "末尾"] for i in range(1000)])
        patch.patch_workbook(src, out, {"S": edit})
        with open("/proc/self/status") as f:
            print(re.search(r"VmHWM:\s+(\d+)", f.read()).group(1))  # type: ignore[union-attr]
        return
    patch.patch_workbook(src, out, the_edits(lines))


def cpu_of(args: list[str]) -> tuple[float, str]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(args, check=True, capture_output=True, text=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, done.stdout.strip()


def write_large(path: Path, rows: int) -> int:
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    body = "".join(
        f'<row r="{r}"><c r="A{r}" t="inlineStr"><is><t>行{r}の名前</t></is></c>'
        f'<c r="B{r}"><v>{r}</v></c><c r="C{r}" t="inlineStr"><is><t>担当課{r % 50}</t></is></c>'
        f'<c r="D{r}"><v>{r * 0.5}</v></c></row>'
        for r in range(1, rows + 1)
    )
    sheet = (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{main}" xmlns:r="{rel}">'
        f'<dimension ref="A1:D{rows}"/><sheetData>{body}</sheetData></worksheet>'
    ).encode()
    ct = (
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
        'package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.'
        'openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType='
        '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.'
        'openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/'
        'worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/></Types>'
    )
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", ct)
        z.writestr(
            "_rels/.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/officeDocument" '
            'Target="xl/workbook.xml"/></Relationships>',
        )
        z.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets><sheet name="S" sheetId="1" '
            'r:id="rId1"/></sheets></workbook>',
        )
        z.writestr(
            "xl/_rels/workbook.xml.rels",
            f'<Relationships xmlns="{pkg}"><Relationship Id="rId1" Type="{rel}/worksheet" '
            'Target="worksheets/sheet1.xml"/></Relationships>',
        )
        z.writestr("xl/worksheets/sheet1.xml", sheet)
    return len(sheet)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("lines", nargs="?", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--large", type=int, default=0)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "SRC", "OUT"))
    args = parser.parse_args()
    if args.child:
        mode, src, out = args.child
        child(mode, Path(src), Path(out), args.lines)
        return
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        src = folder / "master.xlsx"
        build_master(src, args.lines)
        with zipfile.ZipFile(src) as z:
            xml = sum(i.file_size for i in z.infolist())
        print(
            f"master: {args.lines} lines, {src.stat().st_size / 1e6:.1f} MB ({xml / 1e6:.1f} MB XML)"
        )
        modes = ["openpyxl", "patch", "recompress"]
        best = {m: float("inf") for m in modes}
        me = [sys.executable, __file__, str(args.lines), "--child"]
        for _ in range(args.repeat):
            for mode in modes:
                cpu, _ = cpu_of([*me, mode, str(src), str(folder / f"{mode}.xlsx")])
                best[mode] = min(best[mode], cpu)
        base = best["openpyxl"]
        for mode in modes:
            print(
                f"{mode:11s} {best[mode]:6.2f} s CPU  {best[mode] / base:5.2f}× openpyxl load+save"
            )
        check(folder, args.lines)
        if args.large:
            big = folder / "large.xlsx"
            size = write_large(big, args.large)
            cpu, peak = cpu_of([*me, "large", str(big), str(folder / "large-out.xlsx")])
            print(
                f"large sheet: {args.large} rows ({size / 1e6:.0f} MB XML) + 1,000 appended: "
                f"{cpu:.2f} s CPU, peak RSS {int(peak) / 1024:.0f} MB"
            )


def check(folder: Path, lines: int) -> None:
    """The patched master holds what was asked (read back with calamine)."""
    from python_calamine import CalamineWorkbook

    for name in ("patch.xlsx", "recompress.xlsx"):
        book = CalamineWorkbook.from_path(str(folder / name))
        history = book.get_sheet_by_name("履歴").to_python()
        answers = book.get_sheet_by_name("回答").to_python()
        assert len(history) == 6 * lines + 1, len(history)
        assert history[-1][2] == f"L{lines:05d}", history[-1]
        assert answers[1][6] == 91 + 2 % 11, answers[1]
        with zipfile.ZipFile(folder / name) as z:
            assert z.testzip() is None
    print(f"checked {dt.datetime.now():%H:%M:%S}: both patched files read back")


if __name__ == "__main__":
    main()
