"""Reading generated .docx files back the way a person would: all the text, in order."""

from __future__ import annotations

import io

from docx import Document
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph


def paragraphs(data: bytes) -> list[str]:
    """Every paragraph of the body, tables included (cell by cell), and of the headers."""
    document = Document(io.BytesIO(data))
    texts: list[str] = []

    def walk(container: object) -> None:
        for block in container.iter_inner_content():  # type: ignore[attr-defined]
            if isinstance(block, Paragraph):
                texts.append(block.text)
            elif isinstance(block, Table):
                for row in block.rows:
                    for tc in row._tr.tc_lst:  # each physical cell once, merged or not
                        walk(_Cell(tc, block))

    walk(document)
    for section in document.sections:
        walk(section.header)
    return texts


def text(data: bytes) -> str:
    """All paragraphs joined by newlines."""
    return "\n".join(paragraphs(data))
