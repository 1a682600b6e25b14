"""A report as an office hands it in: a title, a few facts, and sections of tables, laid out as
a PDF with its Chinese text embedded in the font, or as an Excel workbook.

The PDF embeds Noto Sans SC (SIL Open Font License), a TrueType font the project installs from
PyPI (`justmytype-intl-cjk`, Google Fonts' Noto Sans SC), so the Chinese reads the same on any
machine, printed or on screen, whatever fonts the reader has; its text can be copied and
searched. Tables wrap by character, as Chinese text wraps.

The font is variable (weights 100–900) and large (17 MB): for each document fontTools cuts it
down to the characters the document uses and fixes the regular weight, which takes about a
second where giving fpdf2 the variable font to instance whole takes most of a minute.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from lifecycle.domain.values import display_date
from lifecycle.reports.language import _

#: A4 landscape, in millimetres: wide enough for the case history's ten columns.
_PAGE_WIDTH = 297.0
_MARGIN = 12.0
_FONT = "NotoSansSC"


@dataclass
class Section:
    heading: str
    columns: list[str]
    rows: list[list[Any]]
    #: Relative widths of the columns in the PDF (default: equal).
    widths: list[float] | None = None
    #: Said when the table has no rows.
    empty: str = ""


@dataclass
class Document:
    title: str
    facts: list[tuple[str, str]]
    sections: list[Section] = field(default_factory=list)
    lang: str = "en"
    #: The sheet of the facts in a workbook, and the word for "page" in a PDF's footer.
    summary: str = "summary"


def text(value: Any, lang: str = "en") -> str:
    """A cell's value as the text a PDF, HTML or Markdown report shows: a date as the language
    writes it (2024年10月1日, 2024-10-01)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return display_date(value, lang)
    return str(value)


def font_path() -> Path:
    """The CJK font the PDF embeds (installed with the project, from PyPI)."""
    from importlib.resources import files

    return Path(str(files("justmytype_intl_cjk") / "fonts" / "ofl" / "notosanssc" / "NotoSansSC[wght].ttf"))


def font_for(characters: str, target: Path) -> Path:
    """Noto Sans SC cut down to `characters` (and printable ASCII), at the regular weight."""
    from fontTools import subset
    from fontTools.ttLib import TTFont
    from fontTools.varLib import instancer

    font = TTFont(font_path(), lazy=True)
    options = subset.Options()
    options.layout_features = []  # no shaping needed: one glyph a character
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters + "".join(chr(c) for c in range(32, 127)) + "·—∅→…第页")
    subsetter.subset(font)
    regular = instancer.instantiateVariableFont(font, {"wght": 400})
    regular.save(target)
    return target


def _characters(document: Document) -> str:
    parts = [document.title, *(k + v for k, v in document.facts)]
    for section in document.sections:
        parts += [section.heading, section.empty, *section.columns]
        parts += [text(v, document.lang) for row in section.rows for v in row]
    return "".join(sorted(set("".join(parts))))


def to_pdf(document: Document) -> bytes:
    import tempfile

    with tempfile.TemporaryDirectory(prefix="lifecycle-font-") as folder:
        font = font_for(_characters(document), Path(folder) / "NotoSansSC-Regular.ttf")
        return _pdf(document, font)


def _pdf(document: Document, font: Path) -> bytes:
    from fpdf import FPDF
    from fpdf.enums import WrapMode
    from fpdf.fonts import FontFace

    zh = document.lang == "zh"

    class Pages(FPDF):
        def footer(self) -> None:
            self.set_y(-10)
            self.set_font(_FONT, size=8)
            label = _("page {number}", document.lang).format(number=self.page_no())
            self.cell(0, 5, f"{document.title} · {label}", align="C")

    pdf = Pages(orientation="landscape", unit="mm", format="A4")
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    pdf.set_auto_page_break(True, margin=14)
    pdf.add_font(_FONT, "", str(font))
    pdf.set_lang("zh-CN" if zh else "en")
    pdf.set_title(document.title)
    pdf.set_creator("lifecycle")
    pdf.add_page()
    pdf.set_font(_FONT, size=15)
    pdf.multi_cell(0, 8, document.title, wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font(_FONT, size=9)
    heading_style = FontFace(emphasis="", fill_color=(228, 228, 228))
    with pdf.table(col_widths=(1, 4), first_row_as_headings=False, wrapmode=WrapMode.CHAR, line_height=5) as facts:
        for label, value in document.facts:
            row = facts.row()
            row.cell(label)
            row.cell(value)
    for section in document.sections:
        pdf.ln(4)
        pdf.set_font(_FONT, size=12)
        pdf.multi_cell(0, 7, section.heading, wrapmode=WrapMode.CHAR, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font(_FONT, size=8)
        if not section.rows:
            pdf.multi_cell(0, 5, section.empty or _("none", document.lang), new_x="LMARGIN", new_y="NEXT")
            continue
        widths = tuple(section.widths or [1.0] * len(section.columns))
        with pdf.table(
            col_widths=widths, headings_style=heading_style, wrapmode=WrapMode.CHAR, line_height=4.2, repeat_headings=1
        ) as table:
            header = table.row()
            for name in section.columns:
                header.cell(name)
            for values in section.rows:
                row = table.row()
                for value in values:
                    row.cell(text(value, document.lang))
    return bytes(pdf.output())


def to_xlsx(document: Document) -> bytes:
    """A workbook: the facts on the first sheet, then one sheet a section, every cell as the
    exporter writes it (text that a spreadsheet would take for a formula neutralised)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    from lifecycle.reports.export import cell, sheet_title

    book = Workbook()
    first = book.active
    assert first is not None
    first.title = sheet_title(document.summary)
    first.append([cell(document.title)])
    first["A1"].font = Font(bold=True, size=14)
    for label, value in document.facts:
        first.append([cell(label), cell(value)])
    first.column_dimensions["A"].width = 24
    first.column_dimensions["B"].width = 90
    used = {first.title}
    for section in document.sections:
        title = sheet_title(section.heading)
        number = 2
        while title in used:
            title = sheet_title(f"{section.heading[:27]} {number}")
            number += 1
        used.add(title)
        sheet = book.create_sheet(title)
        sheet.append([cell(name) for name in section.columns])
        for head in sheet[1]:
            head.font = Font(bold=True)
        sheet.freeze_panes = "A2"
        for values in section.rows:
            sheet.append([v if isinstance(v, date) else cell(v) for v in values])
        for row in sheet.iter_rows():
            for one in row:
                if isinstance(one.value, str):
                    one.data_type = "s"  # never a formula
                elif isinstance(one.value, date):
                    one.number_format = "yyyy-mm-dd"  # a real date cell, shown as ISO
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def to_html(document: Document) -> str:
    import html

    e = html.escape
    facts = "".join(f"<tr><th>{e(k)}</th><td>{e(v)}</td></tr>" for k, v in document.facts)
    parts = [
        f'<!DOCTYPE html>\n<html lang="{"zh-CN" if document.lang == "zh" else "en"}"><head>'
        f'<meta charset="utf-8"><title>{e(document.title)}</title><style>{_STYLE}</style></head>'
        f"<body>\n<h1>{e(document.title)}</h1>\n<table>{facts}</table>\n"
    ]
    for section in document.sections:
        parts.append(f"<h2>{e(section.heading)}</h2>\n")
        if not section.rows:
            parts.append(f"<p>{e(section.empty or '—')}</p>\n")
            continue
        head = "".join(f"<th>{e(c)}</th>" for c in section.columns)
        rows = "".join(
            "<tr>" + "".join(f"<td>{e(text(v, document.lang))}</td>" for v in r) + "</tr>" for r in section.rows
        )
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>\n")
    parts.append("</body></html>\n")
    return "".join(parts)


_STYLE = (
    "body{font-family:sans-serif;margin:2em;color:#111}table{border-collapse:collapse;margin:1em 0}"
    "td,th{border:1px solid #999;padding:.3em .5em;vertical-align:top;text-align:left}th{background:#eee}"
)
