#!/usr/bin/env python3
"""Build the seven .docx templates of generated documents with python-docx.

Run from the repository root: ``.venv/bin/python tools/build_templates.py [OUTDIR]`` (default
``app/documents/templates``). The output is byte-for-byte reproducible. Every docxtpl tag is
written inside a single run; ``{%p …%}`` and ``{%tr …%}`` tags sit alone in their paragraph or
row, which docxtpl removes when rendering. The context each template reads is listed in
``app/documents/catalog.py`` and shown by ``app/documents/samples.py``.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from app.documents.render import normalise_docx  # noqa: E402

FONT, MONO = "Times New Roman", "Courier New"
BUILT = datetime(2024, 1, 1)  # fixed document properties keep the files reproducible
CENTER, LEFT, RIGHT = WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT, WD_ALIGN_PARAGRAPH.RIGHT
JUSTIFY = WD_ALIGN_PARAGRAPH.JUSTIFY
ALIGN = {"c": CENTER, "l": LEFT, "r": RIGHT}
NO_DATA = "нет данных"
MUNICIPAL = "{{ (municipality.authority or municipality.name)|upper }}"
# A document's own date and number: the number once its office has given one. No template prints
# blanks («№ ____», ««___» ____ 20__ г.»): what is not known yet is left out.
DOCUMENT_DATE = "{% if document.date %}{{ document.date|ru_date }}{% endif %}"
DATE_NUMBER = DOCUMENT_DATE + "{% if document.number %}\t№ {{ document.number }}{% endif %}"
REGISTRATION = (
    "{% if document.date %}от {{ document.date|ru_date }}{% endif %}"
    "{% if document.number %} № {{ document.number }}{% endif %}"
)
# The campaign's approving order (``order``, None when not recorded): «приказа Министерства
# образования … от 03.11.2023 № 1592/1 «Об утверждении …»» in a sentence, «(приказ … от … № …)»
# under the title of a school's or commission's paper.
ISSUER = "{% if order.issuer_genitive %} {{ order.issuer_genitive }}{% endif %}"
ORDER_CITED = (
    "приказа" + ISSUER + " {{ order.reference }}{% if order.title %} «{{ order.title }}»{% endif %}"
)
ORDER_BY = (
    "приказом"
    + ISSUER
    + " {{ order.reference }}{% if order.title %} «{{ order.title }}»{% endif %}"
)
ORDER_HEADING = "(приказ" + ISSUER + " {{ order.reference }})"
YES_NO = "{% if X %}да{% else %}нет{% endif %}"
Parts = str | Sequence[str]
Column = tuple[float, str, Parts, str]  # width (cm), header, cell, alignment: c / l / r


class Bold(str):
    """A piece of paragraph text written in bold."""


class Mono(str):
    """A piece of paragraph text in a small monospaced font (hashes)."""


def fill(paragraph: Paragraph, parts: Parts, *, size: int | None = None) -> None:
    """Append each part as one run, so each docxtpl tag stays inside a single run."""
    for part in [parts] if isinstance(parts, str) else parts:
        if not part:
            continue
        run = paragraph.add_run(part)
        run.bold = True if isinstance(part, Bold) else None
        if size is not None:
            run.font.size = Pt(size)
        if isinstance(part, Mono):
            run.font.name, run.font.size = MONO, Pt(7)


class Builder:
    """One template under construction: an A4 document in the house layout, with helpers."""

    def __init__(self, title: str, *, landscape: bool = False, size: int = 14) -> None:
        self.doc = Document()
        self.size = size
        section = self.doc.sections[0]
        if landscape:
            section.orientation = WD_ORIENT.LANDSCAPE
        long_side, short_side = Cm(29.7), Cm(21)
        section.page_width = long_side if landscape else short_side
        section.page_height = short_side if landscape else long_side
        left, right, top, bottom = (2.0, 1.5, 2.0, 1.5) if landscape else (3.0, 1.5, 2.0, 2.0)
        section.left_margin, section.right_margin = Cm(left), Cm(right)
        section.top_margin, section.bottom_margin = Cm(top), Cm(bottom)
        section.header_distance = Cm(1.0)
        self.width = (29.7 if landscape else 21.0) - left - right
        self._normal_style()
        self._page_numbers(section)
        props = self.doc.core_properties
        props.author = props.last_modified_by = "OKO Cases"
        props.title, props.revision = title, 1
        props.created = props.modified = BUILT

    def _normal_style(self) -> None:
        """Times New Roman for every script, Russian language, single spacing, no gaps."""
        normal = self.doc.styles["Normal"]
        normal.font.name, normal.font.size = FONT, Pt(self.size)
        rpr = normal.element.get_or_add_rPr()
        for attribute in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            rpr.get_or_add_rFonts().set(qn(attribute), FONT)
        language = OxmlElement("w:lang")
        language.set(qn("w:val"), "ru-RU")
        language.set(qn("w:eastAsia"), "ru-RU")
        rpr.append(language)
        fmt = normal.paragraph_format
        fmt.space_before, fmt.space_after, fmt.line_spacing = Pt(0), Pt(0), 1.0

    def _page_numbers(self, section: Any) -> None:
        """Page numbers centred at the top from the second page on, as official papers have."""
        section.different_first_page_header_footer = True
        paragraph = section.header.paragraphs[0]
        paragraph.alignment = CENTER
        field, run, text = (OxmlElement(n) for n in ("w:fldSimple", "w:r", "w:t"))
        field.set(qn("w:instr"), "PAGE")
        text.text = "2"
        run.append(text)
        field.append(run)
        paragraph._p.append(field)

    def para(
        self,
        parts: Parts,
        *,
        align: int = JUSTIFY,
        size: int | None = None,
        before: float = 0,
        after: float = 0,
        left: float | None = None,
        keep: bool = False,
        page_break: bool = False,
        tab: bool = False,
    ) -> Paragraph:
        """A paragraph; justified body text gets the 1.25 cm first-line indent."""
        paragraph = self.doc.add_paragraph()
        fill(paragraph, parts, size=size)
        fmt = paragraph.paragraph_format
        paragraph.alignment = align
        fmt.first_line_indent = Cm(1.25) if align == JUSTIFY and left is None else None
        fmt.space_before, fmt.space_after = Pt(before), Pt(after)
        fmt.left_indent = Cm(left) if left is not None else None
        fmt.keep_with_next = keep or None
        fmt.page_break_before = page_break or None
        if tab:
            fmt.tab_stops.add_tab_stop(Cm(self.width), WD_TAB_ALIGNMENT.RIGHT)
        return paragraph

    def body(self, *parts: str, size: int | None = None, before: float = 0) -> None:
        """Justified text with a first-line indent."""
        self.para(parts, size=size, before=before)

    def center(
        self, *parts: str, size: int | None = None, before: float = 0, after: float = 0
    ) -> None:
        """A centred line."""
        self.para(parts, align=CENTER, size=size, before=before, after=after)

    def left(
        self,
        *parts: str,
        size: int | None = None,
        before: float = 0,
        after: float = 0,
        tab: bool = False,
    ) -> None:
        """A line at the left margin; `tab` adds a right tab stop at the right margin."""
        self.para(parts, align=LEFT, size=size, before=before, after=after, tab=tab)

    def tag(self, tag: str) -> None:
        """A paragraph holding only a {%p …%} tag; docxtpl removes the paragraph."""
        self.para(tag, align=LEFT)

    def kind(self, text: str, *, before: float = 18, after: float = 6) -> None:
        """The document kind: ПРИКАЗ, ПРОТОКОЛ …"""
        self.para(Bold(text), align=CENTER, size=16, before=before, after=after)

    def title(self, text: str, *, page_break: bool = False) -> None:
        """A bold centred title kept with what follows."""
        self.para(Bold(text), align=CENTER, before=12, after=8, keep=True, page_break=page_break)

    def section(self, text: str) -> None:
        """A bold section heading at the left."""
        self.para(Bold(text), align=LEFT, before=10, after=4, keep=True)

    def caption(self, text: str) -> None:
        """A table caption."""
        self.para(Bold(text), align=LEFT, size=12, before=8, after=4, keep=True)

    def block_right(self, text: str, *, page_break: bool = False) -> None:
        """A block at the right: approval stamps, appendix captions, addressees."""
        self.para(text, align=LEFT, size=12, left=self.width - 7.5, after=6, page_break=page_break)

    def place(self) -> None:
        """The place of issue under the date line, when there is one."""
        self.tag("{%p if document.place %}")
        self.para("{{ document.place }}", align=CENTER, before=6)
        self.tag("{%p endif %}")

    def table(
        self,
        widths: Sequence[float],
        header: Sequence[str] = (),
        *,
        size: int = 12,
        numbered: bool = False,
        borders: bool = True,
    ) -> Table:
        """A table with fixed column widths (cm, scaled to the text width) and a header row."""
        scale = self.width / sum(widths)
        table = self.doc.add_table(rows=0, cols=len(widths))
        if borders:
            table.style = self.doc.styles["Table Grid"]
        table.alignment, table.autofit = WD_TABLE_ALIGNMENT.CENTER, False
        for column, width in zip(table.columns, widths, strict=True):
            column.width = Cm(width * scale)
        if header:
            self.row(table, [Bold(h) for h in header], size=size, align=CENTER, repeat=True)
        if numbered:
            self.row(
                table,
                [str(i + 1) for i in range(len(widths))],
                size=size,
                align=CENTER,
                repeat=True,
            )
        return table

    def row(
        self,
        table: Table,
        cells: Sequence[Parts],
        *,
        size: int = 12,
        align: int = LEFT,
        repeat: bool = False,
        merge: bool = False,
    ) -> list[_Cell]:
        """One row that never splits across pages; `merge` joins all cells into one."""
        row = table.add_row()
        properties = row._tr.get_or_add_trPr()
        properties.append(OxmlElement("w:cantSplit"))
        if repeat:  # a header row repeated on every page
            flag = OxmlElement("w:tblHeader")
            flag.set(qn("w:val"), "true")
            properties.append(flag)
        targets = [row.cells[0].merge(row.cells[-1])] if merge else list(row.cells)
        for cell, parts in zip(targets, cells, strict=True):
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.TOP
            cell.paragraphs[0].alignment = align
            fill(cell.paragraphs[0], parts, size=size)
        return targets

    def loop(
        self,
        table: Table,
        loop: str,
        cells: Sequence[Parts],
        *,
        size: int = 12,
        aligns: str = "",
        heading: str | None = None,
        footer: Parts | None = None,
        empty: str | None = NO_DATA,
    ) -> None:
        """Rows repeated by `{%tr for … %}`, with a merged «нет данных» row for an empty list.

        `heading` names a value that, when set, gets a merged bold row before its item;
        `footer` is a merged row after each item, kept on the same page.
        """
        blank = [""] * (len(cells) - 1)
        self.row(table, ["{%tr " + loop + " %}", *blank], size=size)
        if heading:
            self.row(table, ["{%tr if " + heading + " %}", *blank], size=size)
            title = self.row(
                table, [Bold("{{ " + heading + " }}")], size=size, align=CENTER, merge=True
            )
            title[0].paragraphs[0].paragraph_format.keep_with_next = True
            self.row(table, ["{%tr endif %}", *blank], size=size)
        data = self.row(table, cells, size=size)
        for cell, align in zip(data, aligns, strict=False):
            cell.paragraphs[0].alignment = ALIGN[align]
            cell.paragraphs[0].paragraph_format.keep_with_next = footer is not None or None
        if footer is not None:
            self.row(table, [footer], size=size, merge=True)
        if empty is not None:
            self.row(table, ["{%tr else %}", *blank], size=size)
            self.row(table, [empty], size=size, align=CENTER, merge=True)
        self.row(table, ["{%tr endfor %}", *blank], size=size)

    def grid(
        self,
        loop: str,
        columns: Sequence[Column],
        *,
        size: int = 12,
        numbered: bool = False,
        **options: Any,
    ) -> Table:
        """A bordered table with one row per item of `loop`, described column by column."""
        widths, header, cells, aligns = zip(*columns, strict=True)
        table = self.table(widths, header, size=size, numbered=numbered)
        self.loop(table, loop, cells, size=size, aligns="".join(aligns), **options)
        return table

    def signature(self, position: str, name: str, *, before: float = 30) -> None:
        """Position at the left, name at the right, as signed papers end."""
        self.para("", before=before)
        table = self.table((11.0, 5.5), borders=False)
        left, right = self.row(table, [position, name], size=self.size)
        right.paragraphs[0].alignment = RIGHT
        left.vertical_alignment = right.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM

    def commission_signatures(self) -> None:
        """A signature line for every commission member (a ruled cell, not underscores)."""
        self.para("", before=18)
        table = self.table((5.6, 2.9, 8.0), borders=False)
        cells = ["{{ m.role }}", "", "{{ m.name|signature }}"]
        empty = "Состав комиссии не определён: подписи членов комиссии не предусмотрены."
        self.loop(table, "for m in commission", cells, size=self.size, aligns="lcr", empty=empty)
        rule(table.rows[1].cells[1])  # the member's row (the first is its {%tr for %})
        for row in table.rows:
            row.height = Cm(1.0)

    def order_heading(self) -> None:
        """«(приказ … от … № …)» under a title, when the campaign's order is recorded."""
        self.tag("{%p if order %}")
        self.center(ORDER_HEADING, size=12, after=6)
        self.tag("{%p endif %}")

    def save(self, path: Path) -> None:
        """Write the template with normalised zip metadata."""
        buffer = io.BytesIO()
        self.doc.save(buffer)
        path.write_bytes(normalise_docx(buffer.getvalue()))


def rule(cell: _Cell) -> None:
    """A line along the bottom of the cell to sign or write on."""
    borders = OxmlElement("w:tcBorders")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "0"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    # The schema orders a cell's properties: the borders go before its shading and alignment.
    successors = ("w:shd", "w:noWrap", "w:tcMar", "w:textDirection", "w:tcFitText", "w:vAlign")
    cell._tc.get_or_add_tcPr().insert_element_before(borders, *successors, "w:hideMark")


def until(name: str, words: str = "в срок до") -> str:
    """« в срок до «16» января 2024 г.» for a term of the case, nothing when it has none."""
    value = "campaign.deadlines." + name
    return "{% if " + value + " %} " + words + " {{ " + value + "|ru_date }}{% endif %}"


def yes_no(expression: str) -> str:
    """«да» or «нет» for a boolean value."""
    return YES_NO.replace("X", expression)


def issuer_header(b: Builder) -> None:
    """The issuing body in full and the genre of its act, the date and number, the place."""
    b.tag("{%p if issuer.administration %}")
    b.center(Bold("РОССИЙСКАЯ ФЕДЕРАЦИЯ"))
    b.tag("{%p endif %}")
    b.center(Bold("{{ issuer.name|upper }}"))
    b.kind("{{ issuer.act }}", after=12)
    b.left(DATE_NUMBER, tab=True)
    b.place()


def annex_stamp(number: int, gender: str = "") -> str:
    """«Приложение 1 / УТВЕРЖДЕН / постановлением администрации … / от … № …»."""
    return (
        f"Приложение {number}\nУТВЕРЖДЕН{gender}\n{{{{ issuer.act_instrumental }}}} "
        f"{{{{ issuer.name_genitive }}}}\n{REGISTRATION}"
    )


def municipal_order(b: Builder) -> None:
    """Seeds 001 and 004: the municipal act on organising work with flagged schools — an
    administration's постановление or an education authority's приказ."""
    issuer_header(b)
    b.title(
        "Об организации работы с общеобразовательными организациями "
        "{{ municipality.name_genitive }} с признаками необъективных результатов процедур оценки "
        "качества образования в {{ campaign.school_year }} учебном году"
    )
    b.tag("{%p if issuer.administration %}")
    b.body(
        "С целью развития механизмов управления качеством образовательных результатов и "
        "обеспечения объективности процедур оценки качества образования, в соответствии с "
        "{{ issuer.law }}{% if order %}, " + ORDER_BY + "{% endif %}, "
        "{{ issuer.name_in_sentence }}"
    )
    b.tag("{%p else %}")
    b.body(
        "В соответствии с {{ issuer.law }}{% if order %}, во исполнение "
        + ORDER_CITED
        + "{% endif %}"
        ", в целях развития механизмов управления качеством образовательных результатов и "
        "обеспечения объективности процедур оценки качества образования"
    )
    b.tag("{%p endif %}")
    b.left(Bold("{{ issuer.operative }}:"), before=12, after=12)
    b.tag("{%p for p in points %}")
    b.body("{{ p.number }}. {{ p.text }}")
    b.tag("{%p for item in p.tasks %}")
    b.body("– {{ item }}")
    b.tag("{%p endfor %}")
    b.tag("{%p endfor %}")
    b.signature("{{ signatory.position }}", "{{ signatory.name }}")
    b.block_right(annex_stamp(1), page_break=True)
    b.title(
        "Перечень общеобразовательных организаций {{ municipality.name_genitive }} с признаками "
        "необъективных результатов процедур оценки качества образования в "
        "{{ campaign.school_year }} учебном году"
    )
    b.grid(
        "for s in schools",
        [
            (1.0, "№ п/п", "{{ loop.index }}.", "c"),
            (5.0, "Наименование ОО", "{{ s.name }}", "l"),
            (3.6, "Руководитель", '{{ s.director or "—" }}', "l"),
            (2.4, "Маркеры ВПР", "{{ s.markers|join(', ') or \"—\" }}", "c"),
            (2.6, "Уровень сопро­вождения", '{{ s.support_level or "—" }}', "c"),
            (
                2.4,
                "Лет в перечне подряд",
                "{{ s.years_on_list }}{% if s.contract_review %} "
                "(рассмотрение контракта){% endif %}",
                "c",
            ),
        ],
        size=11,
    )
    b.block_right(annex_stamp(2), page_break=True)
    b.title(
        "План мероприятий по работе с общеобразовательными организациями с признаками "
        "необъективных результатов в {{ campaign.school_year }} учебном году"
    )
    b.grid(
        "for m in measures",
        [
            (1.0, "№ п/п", "{{ loop.index }}.", "c"),
            (6.2, "Мероприятие", "{{ m.title }}", "l"),
            (2.6, "Срок", "{{ m.due_date|short_date }}", "c"),
            (3.4, "Ответственный исполнитель", "{{ m.responsible }}", "l"),
            (3.8, "Результат / показатель", '{{ m.result or "—" }}', "l"),
        ],
        size=11,
    )


def operative_points(b: Builder) -> None:
    """The numbered points of an act, each with its dash-led tasks."""
    b.tag("{%p for p in points %}")
    b.body("{{ p.number }}. {{ p.text }}")
    b.tag("{%p for item in p.tasks %}")
    b.body("– {{ item }}")
    b.tag("{%p endfor %}")
    b.tag("{%p endfor %}")


LIST_TITLE = (
    "перечня общеобразовательных организаций {{ region.name_genitive }} с признаками "
    "необъективных результатов процедур оценки качества образования в распределении по уровням "
    "управленческого сопровождения в {{ campaign.school_year }} учебном году"
)


def levels_tables(b: Builder) -> None:
    """The schools of the list, a table for each level of support."""
    b.tag("{%p for l in levels %}")
    b.caption("{{ l.title }}")
    b.grid(
        "for s in l.schools",
        [
            (1.0, "№ п/п", "{{ loop.index }}.", "c"),
            (8.6, "Наименование общеобразовательной организации", "{{ s.name }}", "l"),
            (4.6, "Муниципальное образование", "{{ s.municipality }}", "l"),
            (2.3, "Лет в перечне подряд", "{{ s.years_on_list }}", "c"),
        ],
        size=11,
    )
    b.tag("{%p endfor %}")


def regional_order(b: Builder) -> None:
    """Seed 000's order: the ministry approves the list by levels of support."""
    issuer_header(b)
    b.title(
        "{% if order and order.title %}{{ order.title }}{% else %}Об утверждении "
        + LIST_TITLE
        + "{% endif %}"
    )
    b.body(
        "В соответствии с {{ issuer.law }}, в целях развития механизмов управления качеством "
        "образовательных результатов и обеспечения объективности процедур оценки качества "
        "образования"
    )
    b.left(Bold("{{ issuer.operative }}:"), before=12, after=12)
    operative_points(b)
    b.signature("{{ signatory.position }}", "{{ signatory.name }}")
    b.block_right(
        "Приложение\nУТВЕРЖДЕН\n{{ issuer.act_instrumental }} {{ issuer.name_genitive }}\n"
        + REGISTRATION,
        page_break=True,
    )
    b.title(
        "Перечень общеобразовательных организаций {{ region.name_genitive }} с признаками "
        "необъективных результатов процедур оценки качества образования в распределении по "
        "уровням управленческого сопровождения в {{ campaign.school_year }} учебном году"
    )
    levels_tables(b)


def regional_letter(b: Builder) -> None:
    """Seed 000: the ministry's covering letter of the order to municipalities and schools."""
    b.center(Bold("{{ issuer.name|upper }}"))
    b.center("{{ issuer.place or region.name }}", size=11, after=12)
    b.left(
        "{% if document.date %}{{ document.date|short_date }}{% endif %}"
        "{% if document.number %} № {{ document.number }}{% endif %}",
        after=12,
    )
    b.tag("{%p for a in addressees %}")
    b.block_right("{{ a }}")
    b.tag("{%p endfor %}")
    b.para(
        "Об организации работы с общеобразовательными организациями {{ region.name_genitive }} "
        "с признаками необъективных результатов процедур оценки качества образования в "
        "распределении по уровням управленческого сопровождения в {{ campaign.school_year }} "
        "учебном году",
        align=LEFT,
        size=12,
        before=12,
        after=12,
    )
    b.center("Уважаемые коллеги!", after=12)
    b.body(
        "{% if order %}Приказом" + ISSUER + " {{ order.reference }}{% if order.title %} "
        "«{{ order.title }}»{% endif %} (прилагается) утверждён{% else %}Утверждён{% endif %} "
        "перечень общеобразовательных организаций с признаками необъективных результатов "
        "процедур оценки качества образования в распределении по уровням управленческого "
        "сопровождения: {% for l in levels %}{{ l.title|lower }} — {{ l.schools|length }} ОО"
        "{% if not loop.last %}; {% endif %}{% endfor %}."
    )
    b.tag("{%p for p in points %}")
    b.tag("{%p if p.tasks %}")
    b.body("{{ p.text[:-1] }} необходимо:")
    b.tag("{%p for item in p.tasks %}")
    b.body("– {{ item }}")
    b.tag("{%p endfor %}")
    b.tag("{%p endif %}")
    b.tag("{%p endfor %}")
    b.body(
        "Приложение: перечень общеобразовательных организаций по уровням управленческого "
        "сопровождения.",
        before=12,
    )
    b.signature("{{ signatory.position }}", "{{ signatory.name }}")
    b.block_right(
        "Приложение\nк письму{% if document.date %} от {{ document.date|short_date }}"
        "{% endif %}{% if document.number %} № {{ document.number }}{% endif %}",
        page_break=True,
    )
    b.title(
        "Перечень общеобразовательных организаций {{ region.name_genitive }} с признаками "
        "необъективных результатов процедур оценки качества образования в распределении по "
        "уровням управленческого сопровождения"
    )
    levels_tables(b)


def roadmap(b: Builder) -> None:
    """Seeds 002 and 004: the school roadmap as a table, with progress marks."""
    b.block_right(
        "УТВЕРЖДЕНА\n{{ approved_by or ('приказом ' ~ issuer.name_genitive) }}\n" + REGISTRATION
    )
    b.kind("ДОРОЖНАЯ КАРТА", before=12, after=0)
    b.center("{{ title }}\n{{ school.name }}", after=6)
    b.order_heading()
    b.body(
        "Основание: включение в перечень общеобразовательных организаций ({{ case.category }}; "
        "{{ campaign.title }}); маркеры: "
        "{{ case.markers|join(', ') or \"—\" }}; уровень управленческого сопровождения: "
        '{{ case.support_level or "не установлен" }}; {{ case.years_on_list }}-й год в перечне.',
        size=12,
    )
    b.left("", after=6)
    b.grid(
        "for item in items",
        [
            (1.2, "№ п/п", "{{ item.number }}", "c"),
            (8.0, "Наименование мероприятия", "{{ item.measure }}", "l"),
            (3.0, "Сроки", "{{ item.deadline|short_date }}", "l"),
            (4.2, "Ответственные исполнители", "{{ item.responsible }}", "l"),
            (5.6, "Ожидаемый результат / показатель", "{{ item.indicator }}", "l"),
            (
                4.2,
                "Отметка о выполнении",
                '{{ item.status or "" }}{% if item.progress %}\n{{ item.progress }}{% endif %}',
                "l",
            ),
        ],
        numbered=True,
        heading="item.section",
    )
    b.signature("{{ signatory.position }}", "{{ signatory.name }}", before=18)


def roadmap_report(b: Builder) -> None:
    """Seed 004: the monthly analytical report on the roadmap's interim results."""
    school_header(b)
    b.block_right("{{ municipality.authority_dative or municipality.name }}")
    b.kind("АНАЛИТИЧЕСКИЙ ОТЧЁТ", before=12, after=0)
    b.center(
        "о промежуточных результатах реализации мероприятий дорожной карты за {{ period }}",
        after=6,
    )
    b.order_heading()
    b.left(DATE_NUMBER, tab=True)
    b.place()
    b.left("", after=6)
    b.body("{{ summary }}")
    b.tag("{%p if text %}")
    b.body("{{ text }}")
    b.tag("{%p endif %}")
    b.left("", after=6)
    b.grid(
        "for item in items",
        [
            (1.2, "№ п/п", "{{ item.number }}", "c"),
            (8.6, "Мероприятие", "{{ item.measure }}", "l"),
            (3.0, "Срок", "{{ item.deadline|short_date }}", "c"),
            (4.0, "Ответственный", "{{ item.responsible }}", "l"),
            (
                5.4,
                "Отметка о выполнении",
                '{{ item.status or "—" }}{% if item.progress %}\n{{ item.progress }}{% endif %}',
                "l",
            ),
        ],
        numbered=True,
        heading="item.section",
    )
    b.signature("{{ signatory.position }}", "{{ signatory.name }}", before=18)


def shnor_joint_plan(b: Builder) -> None:
    """Seed 003: the joint plan of a ШНОР school and its leader school, approved by the leader
    school's director and agreed by the school's."""
    stamps = b.table((8.0, 8.0), borders=False)
    b.row(
        stamps,
        [
            "СОГЛАСОВАНО\n{{ signatory.position }}\n{{ signatory.name }}",
            "УТВЕРЖДАЮ\n{% if leader_signatory %}{{ leader_signatory.position }}\n"
            "{{ leader_signatory.name }}{% else %}Директор школы-лидера{% endif %}",
        ],
        size=11,
    )
    b.kind("СОВМЕСТНЫЙ ПЛАН РАБОТЫ", before=12, after=0)
    b.center(
        "{{ school.name_genitive }}{% if leader %} и школы-лидера {{ leader.name_genitive }}"
        "{% endif %} по переходу "
        "в эффективный режим функционирования в {{ campaign.school_year }} учебном году",
        after=6,
    )
    b.order_heading()
    b.left(DATE_NUMBER, tab=True)
    b.place()
    b.left("", after=6)
    b.grid(
        "for item in items",
        [
            (1.2, "№ п/п", "{{ item.number }}", "c"),
            (10.0, "Мероприятие", "{{ item.measure }}", "l"),
            (3.2, "Срок", "{{ item.deadline|short_date }}", "c"),
            (3.6, "Ответственный", "{{ item.responsible }}", "l"),
            (7.6, "Результат / показатель", '{{ item.result or "—" }}', "l"),
        ],
        numbered=True,
    )


def case_card(b: Builder, *, size: int = 12, more: Sequence[tuple[str, str]] = ()) -> None:
    """A two-column table with the school and its place on the list."""
    t = b.table((6.0, 10.5), size=size)
    rows = [
        ("Общеобразовательная организация", "{{ school.name }}"),
        ("Логин в ФИС ОКО", "{{ school.login }}"),
        ("Муниципальное образование", "{{ municipality.name }}, {{ region.name }}"),
        ("Руководитель", '{{ school.director or "—" }}'),
        ("Категория", "{{ case.category }} ({{ campaign.title }})"),
        (
            "Маркеры ВПР {{ campaign.vpr_year }} г.",
            "{{ case.markers|join(', ') or \"—\" }} (всего: {{ case.marker_count }})",
        ),
        ("Уровень управленческого сопровождения", '{{ case.support_level or "не установлен" }}'),
        (
            "В перечне подряд, лет",
            "{{ case.years_on_list }}{% if case.contract_review %}; "
            "рассматривается вопрос о контракте руководителя{% endif %}",
        ),
        *more,
    ]
    for label, value in rows:
        b.row(t, [label, value], size=size)


def school_header(b: Builder) -> None:
    """The school as the issuing organisation, with its contacts."""
    b.center(Bold("{{ school.name|upper }}"))
    b.center(
        "{{ municipality.name }}, {{ region.name }}{% if school.email %}; e-mail: "
        "{{ school.email }}{% endif %}{% if school.phone %}; тел. {{ school.phone }}{% endif %}",
        size=11,
        after=12,
    )


def self_analysis(b: Builder) -> None:
    """Seed 004: the school's self-analysis by the regional «Seven steps» template."""
    school_header(b)
    b.kind("САМОАНАЛИЗ", before=6, after=0)
    b.center(
        "причин необъективности результатов всероссийских проверочных работ "
        "{{ campaign.vpr_year }} года (региональный шаблон «Семь шагов»)",
        after=12,
    )
    b.order_heading()
    b.left(DATE_NUMBER, tab=True)
    b.place()
    b.left("", after=6)
    b.section("1. Общие сведения")
    case_card(b)
    b.section("2. Признаки необъективности по результатам анализа")
    b.grid(
        "for s in signs",
        [
            (1.9, "Работа", "{{ s.work }}", "c"),
            (0.9, "№", "{{ s.number }}", "c"),
            (4.6, "Признак", "{{ s.title }}", "l"),
            (2.3, "Выявлен", yes_no("s.found"), "c"),
            (6.8, "Обоснование", "{{ s.evidence }}", "l"),
        ],
    )
    b.section("3. Сопоставление отметок ВПР с отметками по журналу")
    b.grid(
        "for s in shares",
        [
            (3.0, "Работа", "{{ s.work }}", "c"),
            (3.0, "Участников", "{{ s.n }}", "c"),
            (3.5, "Понизили", "{{ s.lowered|pct }}", "c"),
            (3.5, "Подтвердили", "{{ s.confirmed|pct }}", "c"),
            (3.5, "Повысили", "{{ s.raised|pct }}", "c"),
        ],
    )
    b.section("4. Анализ по шагам регионального шаблона")
    b.tag("{%p for s in sections %}")
    b.para(Bold("Шаг {{ loop.index }}. {{ s.title }}"), align=LEFT, before=6, keep=True)
    b.body('{{ s.answer or "Не заполнено." }}')
    b.tag("{%p else %}")
    b.body("Разделы самоанализа не заполнены.")
    b.tag("{%p endfor %}")
    b.signature("{{ signatory.position }}", "{{ signatory.name }}")


def charts(b: Builder, name: str) -> None:
    """Each chart centred with a numbered caption under it."""
    b.tag("{%p for chart in " + name + " %}")
    b.para("{{ chart.image|image }}", align=CENTER, before=8, keep=True)
    b.center("Рисунок {{ loop.index }}. {{ chart.title }}", size=12, after=6)
    b.tag("{%p endfor %}")


def certificate_analytics(b: Builder) -> None:
    """The correlation tables, signs, contingency tables and charts of the certificate."""
    b.body(
        'Исходные данные: {{ analytics.source or "—" }}. Расчёт выполнен '
        "{{ analytics.computed_at|date_time }}.",
        size=12,
    )
    b.body(
        "Для каждой пары показателей у одних и тех же обучающихся рассчитаны коэффициент "
        "ранговой корреляции Спирмена ρ с 95 % доверительным интервалом (ДИ), коэффициент τ-b "
        "Кендалла, взвешенный (квадратичные веса) коэффициент согласия Коэна κ и доли отметок, "
        "понижённых, подтверждённых и повышенных при сопоставлении. При числе полных пар менее "
        "{{ analytics.min_n }} коэффициенты не рассчитываются («недостаточно данных»).",
        size=12,
    )
    b.caption("Таблица 1. Согласованность отметок")
    rho = (
        "{% if r.spearman is not none %}{{ r.spearman|num }} [{{ r.spearman_low|num }}; "
        "{{ r.spearman_high|num }}]{% else %}—{% endif %}"
    )
    b.grid(
        "for r in analytics.correlations",
        [
            (2.6, "Предмет, класс", "{{ r.subject }}, {{ r.class_name }}", "l"),
            (3.2, "Сопоставление", "{{ r.measure }} — {{ r.compared_with }}", "l"),
            (0.8, "n", "{{ r.n }}", "c"),
            (2.4, "ρ Спирмена [95 % ДИ]", rho, "c"),
            (1.6, "p", "{{ r.spearman_p|pvalue }}", "c"),
            (
                1.9,
                "τ-b (p)",
                "{% if r.kendall is not none %}{{ r.kendall|num }} "
                "({{ r.kendall_p|pvalue }}){% else %}—{% endif %}",
                "c",
            ),
            (1.0, "κ", "{{ r.kappa|num }}", "c"),
            (
                3.0,
                "Понизили / подтвердили / повысили",
                "{{ r.lowered|pct }} / {{ r.confirmed|pct }} / {{ r.raised|pct }}",
                "c",
            ),
        ],
        size=10,
    )
    b.section("Выводы по сопоставлениям")
    b.tag("{%p for r in analytics.correlations %}")
    b.body(
        "{{ loop.index }}. {{ r.subject }}, {{ r.class_name }}, {{ r.measure }} — "
        "{{ r.compared_with }}. {{ r.verdict }}"
    )
    b.tag("{%p endfor %}")
    b.caption("Таблица 2. Признаки необъективности по работам ВПР")
    b.grid(
        "for s in analytics.signs",
        [
            (1.6, "Работа", "{{ s.work }}", "c"),
            (5.2, "Признак", "{{ s.number }}. {{ s.title }}", "l"),
            (2.0, "Выявлен", yes_no("s.found"), "c"),
            (7.7, "Обоснование", "{{ s.evidence }}", "l"),
        ],
        size=10,
    )
    b.tag("{%p for c in analytics.contingency %}")
    b.caption("Таблица {{ loop.index + 2 }}. {{ c.title }}")
    marks = [(2.0, str(m), f"{{{{ row.counts[{m - 2}] }}}}", "c") for m in (2, 3, 4, 5)]
    b.grid(
        "for row in c.rows",
        [
            (5.0, "{{ c.row_label }} \\ {{ c.column_label }}", "{{ row.mark }}", "c"),
            *marks,
            (2.5, "Всего", "{{ row.counts|sum }}", "c"),
        ],
        size=10,
    )
    b.tag("{%p endfor %}")
    charts(b, "analytics.charts")


def information_certificate(b: Builder) -> None:
    """Seed 001: the information certificate with the correlation analysis."""
    school_header(b)
    b.block_right("{{ municipality.authority_dative or municipality.name }}")
    b.kind("ИНФОРМАЦИОННАЯ СПРАВКА", before=12, after=0)
    b.center(
        "о проведении комплексного анализа корреляции результатов текущего контроля "
        "успеваемости с результатами промежуточной аттестации и процедур внешней оценки "
        "качества образования (ОГЭ, ЕГЭ, ВПР)",
        after=12,
    )
    b.order_heading()
    b.left(DATE_NUMBER, tab=True)
    b.place()
    b.left("", after=6)
    term = "campaign.deadlines.information_certificate"
    b.body(
        "{{ school.name }} ({{ municipality.name }}) — общеобразовательная организация, "
        "включённая в перечень общеобразовательных организаций с признаками необъективных результатов процедур оценки качества образования "
        "({{ campaign.title }}; маркеры: {{ case.markers|join(', ') or \"—\" }}; уровень "
        'управленческого сопровождения: {{ case.support_level or "не установлен" }}). '
        "{% if order %}Во исполнение " + ORDER_CITED + " проведён{% else %}Проведён{% endif %} "
        "анализ соответствия отметок за четверти, промежуточной аттестации и результатов внешних "
        "оценочных процедур у одних и тех же обучающихся{% if " + term + " %} (срок "
        "представления справки — {{ " + term + "|ru_date }}){% endif %}."
    )
    b.tag("{%p if analytics %}")
    certificate_analytics(b)
    b.tag("{%p else %}")
    b.body(Bold("Аналитические данные не загружены."), before=6)
    b.tag("{%p endif %}")
    b.section("Выводы")
    b.body('{{ conclusions or "Выводы по результатам анализа не сформулированы." }}')
    b.signature("{{ signatory.position }}", "{{ signatory.name }}")


def recheck_works(b: Builder) -> None:
    """The rechecked works under a two-level header."""
    t = b.table((0.9, 1.6, 2.3, 1.9, 2.0, 1.9, 1.9, 2.0, 2.0), size=10)
    top = ("№", "Работа", "Код участника", "Первичный балл", "", "", "Отметка", "", "")
    sub = ("", "", "", "ОО", "эксперты", "разница", "ОО", "эксперты", "совпала")
    upper, lower = (
        b.row(t, [Bold(h) for h in row], size=10, align=CENTER, repeat=True) for row in (top, sub)
    )
    for i in range(3):
        upper[i].merge(lower[i])
    upper[3].merge(upper[5])
    upper[6].merge(upper[8])
    cells = [
        "{{ loop.index }}",
        "{{ w.work }}",
        "{{ w.participant }}",
        "{{ w.score_school }}",
        "{{ w.score_recheck }}",
        "{{ w.score_change|signed(0) }}",
        "{{ w.mark_school }}",
        "{{ w.mark_recheck }}",
        yes_no("w.confirmed"),
    ]
    b.loop(t, "for w in works", cells, size=10, aligns="c" * 9)


def recheck_protocol(b: Builder) -> None:
    """Seed 004: the protocol of the recheck of works by independent experts."""
    b.center(Bold(MUNICIPAL))
    b.kind("ПРОТОКОЛ{% if document.number %} № {{ document.number }}{% endif %}", after=0)
    b.center(
        Bold(
            "перепроверки работ участников всероссийских проверочных работ "
            "{{ campaign.vpr_year }} года"
        ),
        after=12,
    )
    b.order_heading()
    b.left(DOCUMENT_DATE + '\t{{ document.place or "" }}', tab=True, after=12)
    b.body(
        "Общеобразовательная организация: {{ school.name }} ({{ municipality.name }}, логин "
        "{{ school.login }}). Маркеры: {{ case.markers|join(', ') or \"—\" }}."
    )
    b.body("Перепроверка проведена комиссией в составе:", before=6)
    b.tag("{%p for m in commission %}")
    b.para("{{ m.name }} — {{ m.position }} ({{ m.role|lower }});", left=1.25)
    b.tag("{%p else %}")
    b.body("состав комиссии не указан.")
    b.tag("{%p endfor %}")
    b.section("1. Итоги перепроверки по работам")
    b.grid(
        "for w in by_work",
        [
            (1.5, "Работа", "{{ w.work }}", "c"),
            (1.4, "Работ", "{{ w.n }}", "c"),
            (2.7, "Подтверждено отметок", "{{ w.confirmed }}", "c"),
            (3.2, "Доля подтверждённых", "{{ w.share_confirmed|pct }}", "c"),
            (2.4, "Среднее изменение балла", "{{ w.mean_shift|signed }}", "c"),
            (2.8, "p (критерий Уилкоксона)", "{{ w.wilcoxon_p|pvalue }}", "c"),
            (2.5, "Целевой показатель достигнут", yes_no("w.meets_target"), "c"),
        ],
        size=10,
    )
    b.tag("{%p if summary %}")
    b.body(
        "Всего перепроверено работ: {{ summary.n }}; отметка подтверждена в "
        "{{ summary.confirmed }} ({{ summary.share_confirmed|pct }}, 95 % ДИ "
        "{{ summary.share_low|pct }} – {{ summary.share_high|pct }}) при целевом значении не ниже "
        "{{ summary.target|pct }}; понижена — в {{ summary.lowered }}, повышена — в "
        "{{ summary.raised }}. Среднее изменение первичного балла: "
        "{{ summary.mean_shift|signed }}. Целевой показатель "
        "{% if summary.meets_target %}достигнут{% else %}не достигнут{% endif %}.",
        before=8,
    )
    b.body("{{ summary.wording }}")
    b.tag("{%p else %}")
    b.body("Результаты перепроверки не загружены.", before=8)
    b.tag("{%p endif %}")
    charts(b, "charts")
    b.section("2. Сведения о перепроверенных работах")
    recheck_works(b)
    b.section("3. Заключение комиссии")
    b.body('{{ conclusion or "Заключение не сформулировано." }}')
    b.commission_signatures()


def director_evaluation(b: Builder) -> None:
    """Seeds 000 and 001: the director effectiveness evaluation sheet."""
    b.center(Bold(MUNICIPAL))
    b.kind("ОЦЕНОЧНЫЙ ЛИСТ", after=0)
    b.center(
        Bold(
            "эффективности деятельности руководителя общеобразовательной организации в "
            "{{ campaign.school_year }} учебном году"
        ),
        after=12,
    )
    b.order_heading()
    b.left(DATE_NUMBER, tab=True)
    b.place()
    b.left("", after=6)
    t = b.table((6.0, 10.5))
    for label, value in (
        ("Руководитель", '{{ school.director or "—" }}'),
        ("Общеобразовательная организация", "{{ school.name }} ({{ municipality.name }})"),
        (
            "Основание",
            "{{ case.category }}; маркеры: {{ case.markers|join(', ') or \"—\" }}; "
            "в перечне {{ case.years_on_list }}-й год подряд",
        ),
        ("Методика оценки", '{{ evaluation.method or "—" }}'),
    ):
        b.row(t, [label, value])
    b.section("Показатели эффективности")
    t = b.grid(
        "for i in indicators",
        [
            (1.2, "№", "{{ i.number }}", "c"),
            (7.2, "Показатель", "{{ i.title }}", "l"),
            (1.4, "Вес", "{{ i.weight }}", "c"),
            (4.4, "Значение показателя (данные ОО)", "{{ i.value }}", "l"),
            (2.3, "Балл комиссии", "{{ i.score|num(0) }}", "c"),
        ],
    )
    total = (
        "{{ evaluation.total|num(0) }}{% if evaluation.max_total %} из "
        "{{ evaluation.max_total|num(0) }}{% endif %}"
    )
    cells = b.row(t, ["", Bold("Итоговый балл"), "", "", Bold(total)])
    cells[4].paragraphs[0].alignment = CENTER
    result = 'руководитель {{ evaluation.result or "— (не определён)" }}.'
    b.body(Bold("Результат оценки: "), result, before=12)
    b.body(Bold("Решение комиссии: "), '{{ evaluation.decision or "не принято." }}')
    b.tag("{%p if evaluation.recommendation or case.contract_review %}")
    b.body(
        Bold("Рекомендация по трудовому договору: "),
        '{{ evaluation.recommendation or "организация включена в перечень третий год подряд; '
        'рассмотреть вопрос о продлении трудового договора с руководителем." }}',
    )
    b.tag("{%p endif %}")
    b.commission_signatures()
    b.left("С оценочным листом ознакомлен(а):", before=12, size=12)
    table = b.table((5.0, 6.5, 5.0), borders=False)
    signed = b.row(table, ["", "{{ school.director|signature }}", ""], size=12, align=CENTER)
    for cell in (signed[0], signed[2]):
        rule(cell)
        cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    signed[1].vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
    table.rows[0].height = Cm(1.0)
    b.row(table, ["(подпись)", "(расшифровка подписи)", "(дата)"], size=9, align=CENTER)


def case_history(b: Builder) -> None:
    """The case's full history for auditors, every event with its hash."""
    b.kind("ИСТОРИЯ ДЕЛА", before=0, after=0)
    b.center(Bold("{{ school.name }}"))
    b.center(
        "{{ case.category }} · {{ campaign.title }} · {{ municipality.name }}, {{ region.name }}",
        after=6,
    )
    b.order_heading()
    b.left(
        "Сформировано {{ generated_at|date_time }} (время московское); "
        "{{ generated_by.name }} ({{ generated_by.role }})."
    )
    b.left(
        Bold(
            "{% if verification.ok %}Целостность истории подтверждена.{% else %}ВНИМАНИЕ: "
            "целостность истории нарушена.{% endif %}"
        ),
        " {{ verification.message }} Проверено событий: {{ verification.checked }}; проверка "
        "выполнена {{ verification.checked_at|date_time }}.",
        after=6,
    )
    b.section("1. Сведения о деле")
    more = [("Текущий этап", "{{ case.stage }}"), ("Состояние", "{{ case.status }}")]
    case_card(b, size=10, more=more)
    b.section("2. Этапы")
    b.grid(
        "for s in stages",
        [
            (0.8, "№", "{{ loop.index }}", "c"),
            (4.5, "Этап", "{{ s.stage }}", "l"),
            (3.0, "Начало", "{{ s.entered_at|date_time }}", "c"),
            (3.0, "Окончание", "{{ s.left_at|date_time }}", "c"),
            (4.5, "Кто перевёл", '{{ s.entered_by or "—" }}', "l"),
            (6.4, "Основание", '{{ s.reason or "—" }}', "l"),
        ],
        size=10,
    )
    b.section("3. Обязательства")
    b.grid(
        "for o in obligations",
        [
            (0.8, "№", "{{ loop.index }}", "c"),
            (5.2, "Обязательство", "{{ o.title }}", "l"),
            (4.2, "Ответственный", "{{ o.responsible }}", "l"),
            (2.2, "Срок", "{{ o.due_date|short_date }}", "c"),
            (3.4, "Статус", "{{ o.status }}", "l"),
            (2.2, "Выполнено", "{{ o.completed_on|short_date }}", "c"),
            (4.2, "Комментарий", '{{ o.comment or "—" }}', "l"),
        ],
        size=10,
    )
    b.section("4. Журнал событий")
    footer = ["SHA-256: ", Mono("{{ e.hash }}"), "   предыдущий: ", Mono("{{ e.prev_hash }}")]
    b.grid(
        "for e in events",
        [
            (1.2, "№", "{{ e.seq }}", "c"),
            (2.6, "Время (МСК)", "{{ e.occurred_at|date_time }}", "c"),
            (3.6, "Пользователь, роль", "{{ e.actor }}, {{ e.role }}", "l"),
            (3.6, "Действие", "{{ e.action }}", "l"),
            (3.8, "Было", '{{ e.before or "—" }}', "l"),
            (3.8, "Стало", '{{ e.after or "—" }}', "l"),
            (3.6, "Основание", '{{ e.reason or "—" }}', "l"),
        ],
        size=9,
        footer=footer,
    )
    b.body(
        "Хеш каждого события — SHA-256 от его содержимого и хеша предыдущего события; изменение "
        "или удаление любого события нарушает цепочку и обнаруживается проверкой.",
        size=10,
        before=8,
    )


# file name: (document title, filler, landscape, body font size)
def stage_form(b: Builder) -> None:
    """A stage's structured record (the ШНОР questionnaire, competence assessments, a director's
    indicator form): a title and the answered sections."""
    school_header(b)
    b.kind("{{ title|upper }}", before=6, after=0)
    b.center('{{ subtitle or "" }}', after=12)
    b.order_heading()
    b.left(DATE_NUMBER, tab=True, after=6)
    b.section("1. Общие сведения")
    case_card(b)
    b.section("2. Содержание")
    b.tag("{%p for s in sections %}")
    b.para(Bold("{{ loop.index }}. {{ s.title }}"), align=LEFT, before=6, keep=True)
    b.body('{{ s.answer or "Не заполнено." }}')
    b.tag("{%p else %}")
    b.body("Разделы не заполнены.")
    b.tag("{%p endfor %}")
    b.signature("{{ signatory.position }}", "{{ signatory.name }}")


TEMPLATES: dict[str, tuple[str, Callable[[Builder], None], bool, int]] = {
    "municipal_order.docx": ("Приказ об организации работы с ОО", municipal_order, False, 14),
    "regional_order.docx": ("Приказ об утверждении перечня", regional_order, False, 14),
    "regional_letter.docx": ("Письмо о перечне", regional_letter, False, 14),
    "roadmap.docx": ("Дорожная карта", roadmap, True, 12),
    "roadmap_report.docx": ("Отчёт по дорожной карте", roadmap_report, True, 12),
    "shnor_joint_plan.docx": ("Совместный план ШНОР и школы-лидера", shnor_joint_plan, True, 12),
    "self_analysis.docx": ("Самоанализ «Семь шагов»", self_analysis, False, 14),
    "information_certificate.docx": ("Информационная справка", information_certificate, False, 14),
    "recheck_protocol.docx": ("Протокол перепроверки", recheck_protocol, False, 14),
    "director_evaluation.docx": ("Оценочный лист руководителя", director_evaluation, False, 14),
    "case_history.docx": ("История дела", case_history, True, 11),
    "stage_form.docx": ("Материалы этапа", stage_form, False, 14),
}


def build(outdir: Path) -> list[Path]:
    """Write every template into `outdir` and return the paths."""
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for filename, (title, fill_in, landscape, size) in TEMPLATES.items():
        builder = Builder(title, landscape=landscape, size=size)
        fill_in(builder)
        builder.save(outdir / filename)
        written.append(outdir / filename)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "app" / "documents" / "templates"
    for path in build(target):
        print(path)
