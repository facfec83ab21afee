"""A corpus of bad inputs sent to every importer, upload and form as the people allowed to use
them: none may answer with a server error, on SQLite or PostgreSQL (issue 17, F10)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from tests.helpers import login
from tests.web.test_scope_matrix import ENDPOINTS, _case, _order

W = dict[str, Any]


def _xlsx(cells: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    for row in cells:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _docm_as_docx() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Override PartName="/word/document.xml" ContentType="application/'
            'vnd.ms-word.document.macroEnabled.main+xml"/></Types>',
        )
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0macro")
    return out.getvalue()


HEADER = "Логин;Название;Муниципалитет;Год;Логин ОО;Предмет;Первичный балл"
BAD_FILES: dict[str, tuple[bytes, str]] = {
    "empty": (b"", "x.csv"),
    "header-only": (HEADER.encode(), "x.csv"),
    "binary": (b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 20, "x.csv"),
    "nul-late": (HEADER.encode() + b"\n" + b"a;" * 3000 + b"\x00;b\n", "x.csv"),
    "utf16": (HEADER.encode("utf-16"), "x.csv"),
    "huge-cell": ((HEADER + "\n" + "a" * 140_000 + ";b\n").encode(), "x.csv"),
    "broken-quotes": ((HEADER + '\n"abc;def\n').encode(), "x.csv"),
    "formulas": ((HEADER + '\n=1+1;=HYPERLINK("x");+1;-1;@SUM(A1)\n').encode(), "x.csv"),
    "huge-numbers": ((HEADER + "\n" + ";".join(["9" * 40] * 7) + "\n").encode(), "x.csv"),
    "wide": ((";".join(f"c{i}" for i in range(5000)) + "\n").encode(), "x.csv"),
    "cp1251-mix": ("Логин;Название\nшкола;é".encode("cp1251", "replace") + b"\xff\xfe", "x.csv"),
    "fake-xlsx": (b"PK\x03\x04" + b"\x00" * 300, "x.xlsx"),
    "xlsx-long-text": (_xlsx([["Логин", "Название"], ["edu1", "я" * 40_000]]), "x.xlsx"),
    "docm-as-docx": (_docm_as_docx(), "x.docx"),
    "traversal-name": (b"%PDF-1.4\n%%EOF\n", "../../etc/passwd.pdf"),
}

# (who uploads, where, the form's other fields)
UPLOADS: dict[str, tuple[str, Callable[[W], str], Callable[[W], dict[str, Any]]]] = {
    "directory": ("admin", lambda w: "/admin/directory", lambda w: {}),
    "flags": ("ministry", lambda w: "/flags/import", lambda w: {}),
    "plan": (
        "ministry",
        lambda w: f"/campaigns/{_case(w).campaign_id}/plan/import",
        lambda w: {"reason": "Письмо"},
    ),
    "mechanisms": ("ministry", lambda w: "/mechanisms/import", lambda w: {}),
    "vpr-specs": ("ministry", lambda w: "/vpr/specs", lambda w: {}),
    "vpr-results": ("ministry", lambda w: "/vpr/imports", lambda w: {}),
    "marks": ("school_a1", lambda w: f"/cases/{_case(w).id}/data/student_marks", lambda w: {}),
    "recheck": (
        "municipal_a",
        lambda w: f"/cases/{_case(w).id}/data/recheck_results",
        lambda w: {},
    ),
    "obligation": (
        "municipal_a",
        lambda w: f"/obligations/{_order(w).id}/upload",
        lambda w: {"version": str(_order(w).version)},
    ),
    "template": ("admin", lambda w: "/admin/templates", lambda w: {"key": "municipal_order"}),
    "mechanisms-act": (
        "municipal_a",
        lambda w: f"/mechanisms/{w['mun_a'].id}/2022/document",
        lambda w: {"version": "0"},
    ),
}


@pytest.mark.parametrize("target", sorted(UPLOADS))
def test_no_bad_file_gives_a_server_error(
    app: Flask, client: Any, matrix_world: W, rolled_back: Callable[[], Any], target: str
) -> None:
    role, path, fields = UPLOADS[target]
    for name, (data, filename) in BAD_FILES.items():
        with rolled_back():
            client = app.test_client()
            login(client, matrix_world["users"][role])
            response = client.post(
                path(matrix_world),
                data={**fields(matrix_world), "file": (io.BytesIO(data), filename)},
                content_type="multipart/form-data",
            )
            assert response.status_code < 500, (target, name, response.status_code)


BAD_VALUES = {
    "nul": "abc\x00def",
    "long": "я" * 20_000,
    "huge-int": "9" * 30,
    "int64": str(2**63),
    "negative": "-2147483649",
    "date": "0000-13-45",
    "markup": "<script>alert(1)</script>",
    "blank": "   ",
}


def _form_posts() -> list[str]:
    return sorted(
        name
        for name, e in ENDPOINTS.items()
        if e.method == "POST" and not e.multipart and e.allowed and name != "auth.logout"
    )


@pytest.mark.parametrize("name", _form_posts())
def test_no_bad_form_value_gives_a_server_error(
    app: Flask, client: Any, matrix_world: W, rolled_back: Callable[[], Any], name: str
) -> None:
    endpoint = ENDPOINTS[name]
    role = sorted(endpoint.allowed)[0]
    fields = list(endpoint.form(matrix_world)) or ["q"]
    for field in fields:
        for label, value in BAD_VALUES.items():
            with rolled_back():
                if endpoint.setup:
                    endpoint.setup(matrix_world)
                client = app.test_client()
                login(client, matrix_world["users"][role])
                form = {**endpoint.form(matrix_world), field: value}
                response = client.post(endpoint.path(matrix_world), data=form)
                assert response.status_code < 500, (name, field, label, response.status_code)
