"""Table workbooks written as their XML: sheets of text and numbers under a header, as a report
lays them out, at a fraction of xlsxwriter's cost per cell.

xlsxwriter spends about 11 µs on a cell (a call through its decorators, a dimension check, the
shared string lookup, then an XML writer call per element when it closes the workbook): the
collect report of 150 files, 1,400 cells, took 14–20 ms of every collect run. Here a row is one
string made when it is added, and the workbook's parts are joined once (about 3 µs a cell).

What is written is what :func:`toolkit.excel.write.write_value` and xlsxwriter write for the same
calls: text as a shared string (cleaned by :func:`~toolkit.excel.write.clean_text`, ``_xHHHH_``
and carriage returns escaped as Excel escapes them, leading or trailing spaces preserved), numbers
as numbers, ``True``/``False`` as はい/いいえ, empty cells with their format; the formats are
xlsxwriter's own (its styles part and each format's index, taken once per process from a workbook
it writes: :func:`toolkit.excel.write.format_styles`). A sheet may have a header row repeated on
every printed page and frozen below, an autofilter (with its ``_xlnm._FilterDatabase`` name),
merged ranges, links to files (relative, as Excel stores them: backslashes, ``%``-escaped), A4
landscape one page wide, and a footer.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

from toolkit.excel.write import clean_text, format_styles
from toolkit.excel.zipout import ZipOut
from toolkit.plan.sheets import column_letter

XML_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
"""The XML declaration and the two namespaces every part of a workbook we write as XML uses."""
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPE = "application/vnd.openxmlformats-officedocument"
_ESCAPE_CODE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
_SELECTED = ' tabSelected="1"'
_NEEDS_ESCAPE = re.compile(r"[&<>\r\ufffe\uffff]|_x[0-9a-fA-F]{4}_")


def _shared_text(text: str) -> str:
    """A shared string's XML text, as xlsxwriter writes it (``_xHHHH_`` typed as such kept by
    escaping its underscore, a carriage return as ``_x000D_``)."""
    if not _NEEDS_ESCAPE.search(text):
        return text
    text = _ESCAPE_CODE.sub(r"_x005F\1", text).replace("\r", "_x000D_")
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    return escape(text, quote=False)


def _link_target(path: str) -> str:
    """A relative link to a file as Excel stores it: backslashes, and the characters a target
    cannot hold escaped (``#`` too: it would start a location in the file)."""
    for char, code in (("%", "%25"), ('"', "%22"), (" ", "%20"), ("<", "%3c"), (">", "%3e"),
                       ("[", "%5b"), ("]", "%5d"), ("^", "%5e"), ("`", "%60"), ("{", "%7b"),
                       ("}", "%7d"), ("#", "%23")):  # fmt: skip
        path = path.replace(char, code)
    return escape(path.replace("/", "\\"))


@dataclass
class TableSheet:
    """One sheet: column ``widths`` (characters), and rows added in order with :meth:`add_row`.

    ``header_row`` (0-based) is repeated at the top of every printed page and the panes are
    frozen below it; ``footer`` is the printed footer (Excel's ``&L``/``&R``/``&P`` codes)."""

    name: str
    widths: Sequence[float]
    header_row: int = 0
    footer: str = ""
    _rows: list[str] = field(default_factory=list)
    _links: list[tuple[str, str]] = field(default_factory=list)
    _merges: list[str] = field(default_factory=list)
    _filter: str = ""
    _last_row: int = -1
    _last_col: int = -1

    def add_row(
        self,
        row: int,
        values: Sequence[Any],
        style: str,
        book: TableBook,
        *,
        first: int = 0,
        links: dict[int, str] | None = None,
        link_style: str = "",
    ) -> None:
        """Row ``row`` (0-based, after every row added so far) with ``values`` from column
        ``first`` on, in format ``style``; ``links`` maps a column to the relative path its
        text links to (shown in ``link_style``)."""
        if row <= self._last_row:
            raise ValueError(f"row {row} after row {self._last_row}")
        number = row + 1
        s = book.style(style)
        cells = []
        for col, value in enumerate(values, start=first):
            ref = f"{column_letter(col + 1)}{number}"
            cell_style = s
            if links and col in links:
                cell_style = book.style(link_style or style)
                self._links.append((ref, _link_target(links[col])))
            if value.__class__ is str and value:
                cells.append(f'<c r="{ref}" s="{cell_style}" t="s"><v>{book.text(value)}</v></c>')
            elif value is None or value == "":
                cells.append(f'<c r="{ref}" s="{cell_style}"/>')
            elif isinstance(value, bool):
                index = book.text("はい" if value else "いいえ")
                cells.append(f'<c r="{ref}" s="{cell_style}" t="s"><v>{index}</v></c>')
            elif isinstance(value, int | float):
                cells.append(f'<c r="{ref}" s="{cell_style}"><v>{value:.16G}</v></c>')
            else:
                cells.append(
                    f'<c r="{ref}" s="{cell_style}" t="s"><v>{book.text(str(value))}</v></c>'
                )
        self._rows.append(f'<row r="{number}" spans="1:{len(self.widths)}">{"".join(cells)}</row>')
        self._last_row = row
        self._last_col = max(self._last_col, first + len(values) - 1)

    def merge(self, row: int, first: int, last: int) -> None:
        """Columns ``first`` to ``last`` of ``row`` merged (0-based)."""
        self._merges.append(
            f"{column_letter(first + 1)}{row + 1}:{column_letter(last + 1)}{row + 1}"
        )

    def autofilter(self, first_row: int, last_row: int, last_col: int) -> None:
        """A filter on the table from ``first_row`` (its header) to ``last_row``, columns A to
        ``last_col`` (0-based)."""
        self._filter = f"A{first_row + 1}:{column_letter(last_col + 1)}{last_row + 1}"

    def _xml(self, selected: bool) -> str:
        last_col = max(self._last_col, len(self.widths) - 1, 0)
        last = f"{column_letter(last_col + 1)}{max(self._last_row, 0) + 1}"
        top = self.header_row + 1
        cols = "".join(
            f'<col min="{c + 1}" max="{c + 1}" width="{column_width_xml(w)}" customWidth="1"/>'
            for c, w in enumerate(self.widths)
        )
        parts = [
            f'{XML_HEAD}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">',
            '<sheetPr><pageSetUpPr fitToPage="1"/></sheetPr>',
            f'<dimension ref="A1:{last}"/>',
            f'<sheetViews><sheetView{_SELECTED if selected else ""} workbookViewId="0">',
            f'<pane ySplit="{top}" topLeftCell="A{top + 1}" activePane="bottomLeft" state="frozen"/>',
            '<selection pane="bottomLeft"/></sheetView></sheetViews>',
            f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>',
            f"<sheetData>{''.join(self._rows)}</sheetData>",
        ]
        if self._filter:
            parts.append(f'<autoFilter ref="{self._filter}"/>')
        if self._merges:
            merged = "".join(f'<mergeCell ref="{m}"/>' for m in self._merges)
            parts.append(f'<mergeCells count="{len(self._merges)}">{merged}</mergeCells>')
        if self._links:
            links = "".join(
                f'<hyperlink ref="{ref}" r:id="rId{n}"/>'
                for n, (ref, _) in enumerate(self._links, 1)
            )
            parts.append(f"<hyperlinks>{links}</hyperlinks>")
        parts.append(
            '<pageMargins left="0.4" right="0.4" top="0.5" bottom="0.6" header="0.3" footer="0.3"/>'
            '<pageSetup paperSize="9" fitToHeight="0" orientation="landscape"/>'
        )
        if self.footer:
            parts.append(
                f"<headerFooter><oddFooter>{escape(self.footer, quote=False)}</oddFooter></headerFooter>"
            )
        parts.append("</worksheet>")
        return "".join(parts)

    def _rels(self) -> str:
        links = "".join(
            f'<Relationship Id="rId{n}" Type="{REL_NS}/hyperlink" Target="{target}" TargetMode="External"/>'
            for n, (_, target) in enumerate(self._links, 1)
        )
        return f'{XML_HEAD}<Relationships xmlns="{_PKG_REL}">{links}</Relationships>'


def column_width_xml(width: float) -> str:
    """A column width as xlsxwriter stores it (whole pixels of a 7-pixel digit, in 1/256)."""
    pixels = int(width * 7 + 0.5) + 5
    return f"{(pixels * 256 // 7) / 256.0:.16g}"


def _quoted(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


class TableBook:
    """A workbook of :class:`TableSheet` in the ``formats`` given (name → xlsxwriter format
    properties); :meth:`save` writes it."""

    def __init__(self, formats: dict[str, dict[str, Any]]) -> None:
        self._styles = format_styles(
            tuple((name, tuple(sorted(p.items()))) for name, p in formats.items())
        )
        self._strings: dict[str, int] = {}
        self._texts: list[str] = []
        self._count = 0
        self.sheets: list[TableSheet] = []

    def add_sheet(self, name: str, widths: Sequence[float], header_row: int = 0,
                  footer: str = "") -> TableSheet:  # fmt: skip
        sheet = TableSheet(name, widths, header_row, footer)
        self.sheets.append(sheet)
        return sheet

    def style(self, name: str) -> int:
        return self._styles.index[name]

    def text(self, value: str) -> int:
        """The shared string index of ``value`` (cleaned as every text we write is)."""
        self._count += 1
        index = self._strings.get(value)
        if index is None:
            index = self._strings[value] = len(self._texts)
            self._texts.append(clean_text(value))
        return index

    def save(self, path: Path) -> Path:
        """Write the workbook to ``path`` through a temporary file beside it."""
        names = self.sheets
        sheet_list = "".join(
            f'<sheet name="{escape(s.name)}" sheetId="{n}" r:id="rId{n}"/>'
            for n, s in enumerate(names, 1)
        )
        defined = []
        for n, s in enumerate(names):
            if s._filter:
                start, end = s._filter.split(":")
                ref = "$" + re.sub(r"(\d+)", r"$\1", start) + ":$" + re.sub(r"(\d+)", r"$\1", end)
                defined.append(f'<definedName name="_xlnm._FilterDatabase" localSheetId="{n}" '
                               f'hidden="1">{escape(_quoted(s.name), quote=False)}!{ref}</definedName>')  # fmt: skip
        for n, s in enumerate(names):
            row = s.header_row + 1
            defined.append(f'<definedName name="_xlnm.Print_Titles" localSheetId="{n}">'
                           f"{escape(_quoted(s.name), quote=False)}!${row}:${row}</definedName>")  # fmt: skip
        workbook = (
            f'{XML_HEAD}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><workbookPr defaultThemeVersion="124226"/>'
            '<bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/>'
            f"</bookViews><sheets>{sheet_list}</sheets><definedNames>{''.join(defined)}</definedNames>"
            '<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
        )
        count = len(names)
        book_rels = "".join(
            f'<Relationship Id="rId{n}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{n}.xml"/>'
            for n in range(1, count + 1)
        )
        book_rels += (
            f'<Relationship Id="rId{count + 1}" Type="{REL_NS}/theme" Target="theme/theme1.xml"/>'
            f'<Relationship Id="rId{count + 2}" Type="{REL_NS}/styles" Target="styles.xml"/>'
            f'<Relationship Id="rId{count + 3}" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
        )
        overrides = "".join(
            f'<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="{_TYPE}.spreadsheetml.worksheet+xml"/>'
            for n in range(1, count + 1)
        )
        types = (
            f'{XML_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/docProps/app.xml" ContentType="{_TYPE}.extended-properties+xml"/>'
            '<Override PartName="/docProps/core.xml" '
            'ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{_TYPE}.spreadsheetml.styles+xml"/>'
            f'<Override PartName="/xl/theme/theme1.xml" ContentType="{_TYPE}.theme+xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{_TYPE}.spreadsheetml.sheet.main+xml"/>'
            f"{overrides}"
            f'<Override PartName="/xl/sharedStrings.xml" ContentType="{_TYPE}.spreadsheetml.sharedStrings+xml"/>'
            "</Types>"
        )
        titles = "".join(f"<vt:lpstr>{escape(s.name, quote=False)}</vt:lpstr>" for s in names)
        app = (
            f'{XML_HEAD}<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties" '
            'xmlns:vt="http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes">'
            "<Application>Microsoft Excel</Application><DocSecurity>0</DocSecurity><ScaleCrop>false</ScaleCrop>"
            '<HeadingPairs><vt:vector size="2" baseType="variant"><vt:variant><vt:lpstr>Worksheets</vt:lpstr>'
            f"</vt:variant><vt:variant><vt:i4>{count}</vt:i4></vt:variant></vt:vector></HeadingPairs>"
            f'<TitlesOfParts><vt:vector size="{count}" baseType="lpstr">{titles}</vt:vector></TitlesOfParts>'
            "<Company></Company><LinksUpToDate>false</LinksUpToDate><SharedDoc>false</SharedDoc>"
            "<HyperlinksChanged>false</HyperlinksChanged><AppVersion>12.0000</AppVersion></Properties>"
        )
        now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        core = (
            f'{XML_HEAD}<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:dcmitype="http://purl.org/dc/dcmitype/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
            "<dc:creator></dc:creator><cp:lastModifiedBy></cp:lastModifiedBy>"
            f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
            f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>'
        )
        strings = "".join(
            f'<si><t xml:space="preserve">{_shared_text(s)}</t></si>'
            if s[:1].isspace() or s[-1:].isspace()
            else f"<si><t>{_shared_text(s)}</t></si>"
            for s in self._texts
        )
        sst = (
            f'{XML_HEAD}<sst xmlns="{MAIN_NS}" count="{self._count}" uniqueCount="{len(self._texts)}">'
            f"{strings}</sst>"
        )
        root_rels = (
            f'{XML_HEAD}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
            f'<Relationship Id="rId2" Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml"/>'
            f'<Relationship Id="rId3" Type="{REL_NS}/extended-properties" Target="docProps/app.xml"/>'
            "</Relationships>"
        )
        buffer = io.BytesIO()
        out = ZipOut(buffer)
        out.add("[Content_Types].xml", types.encode())
        out.add("_rels/.rels", root_rels.encode())
        out.add("docProps/app.xml", app.encode())
        out.add("docProps/core.xml", core.encode())
        out.add("xl/_rels/workbook.xml.rels",
                f'{XML_HEAD}<Relationships xmlns="{_PKG_REL}">{book_rels}</Relationships>'.encode())  # fmt: skip
        out.add("xl/workbook.xml", workbook.encode())
        out.add_stored("xl/styles.xml", *self._styles.styles)
        out.add_stored("xl/theme/theme1.xml", *self._styles.theme)
        for n, sheet in enumerate(names, 1):
            out.add(f"xl/worksheets/sheet{n}.xml", sheet._xml(n == 1).encode())
            if sheet._links:
                out.add(f"xl/worksheets/_rels/sheet{n}.xml.rels", sheet._rels().encode())
        out.add("xl/sharedStrings.xml", sst.encode())
        out.close()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.stem}.tmp{path.suffix}")
        try:
            tmp.write_bytes(buffer.getvalue())
            os.replace(tmp, path)
        except OSError:
            tmp.unlink(missing_ok=True)
            raise
        return path
