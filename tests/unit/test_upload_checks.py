"""Upload checks: type by content, archive bombs, names."""

from __future__ import annotations

import io
import zipfile

import openpyxl
import pytest
from docx import Document as DocxDocument
from PIL import Image

from app.demo.files import simple_pdf
from app.documents import checks
from app.errors import InvalidInput

MB = 1024 * 1024


def docx_bytes() -> bytes:
    doc = DocxDocument()
    doc.add_paragraph("Справка")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def xlsx_bytes() -> bytes:
    book = openpyxl.Workbook()
    book.active.append(["Логин", "edu000001"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def odf_bytes(kind: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), f"application/vnd.oasis.opendocument.{kind}")
        z.writestr("content.xml", "<office:document-content/>")
        z.writestr("META-INF/manifest.xml", "<manifest/>")
    return out.getvalue()


def image_bytes(fmt: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(out, fmt)
    return out.getvalue()


def bomb_bytes() -> bytes:
    """A docx-looking archive whose one entry unpacks to 300 MB of zeros."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as entry:
            chunk = b"\0" * MB
            for _ in range(300):
                entry.write(chunk)
    return out.getvalue()


@pytest.mark.parametrize(
    ("maker", "extension"),
    [
        (lambda: simple_pdf("x"), "pdf"),
        (docx_bytes, "docx"),
        (xlsx_bytes, "xlsx"),
        (lambda: odf_bytes("text"), "odt"),
        (lambda: odf_bytes("spreadsheet"), "ods"),
        (lambda: image_bytes("PNG"), "png"),
        (lambda: image_bytes("JPEG"), "jpg"),
    ],
)
def test_accepted_types_are_recognised_by_content(maker, extension: str) -> None:
    kind, name = checks.check_upload(f"Справка о школе.{extension}", maker(), 25 * MB)
    assert kind.extension == extension
    assert name == f"Справка о школе.{extension}"


def test_a_renamed_executable_is_refused() -> None:
    with pytest.raises(InvalidInput, match="PDF, DOCX"):
        checks.check_upload("report.pdf", b"MZ\x90\x00" + b"\0" * 100, 25 * MB)


def test_a_forged_extension_is_named() -> None:
    with pytest.raises(InvalidInput) as err:
        checks.check_upload("certificate.docx", simple_pdf("x"), 25 * MB)
    assert ".docx" in err.value.message and "PDF" in err.value.message


def test_an_unaccepted_extension_is_refused_even_with_good_content() -> None:
    with pytest.raises(InvalidInput, match=r"\.exe"):
        checks.check_upload("setup.exe", simple_pdf("x"), 25 * MB)


@pytest.mark.parametrize(
    "name", ["../../etc/passwd.pdf", "..\\..\\boot.pdf", "a/b.pdf", "..hidden.pdf"]
)
def test_path_traversal_names_are_refused(name: str) -> None:
    with pytest.raises(InvalidInput):
        checks.check_upload(name, simple_pdf("x"), 25 * MB)


def test_oversized_file_is_refused_with_the_limit() -> None:
    with pytest.raises(InvalidInput, match="1"):
        checks.check_upload("big.pdf", simple_pdf("x") + b"\0" * MB, MB)


def test_archive_bomb_is_refused() -> None:
    data = bomb_bytes()
    assert len(data) < MB  # small on the wire
    with pytest.raises(InvalidInput):
        checks.check_upload("bomb.docx", data, 25 * MB)


def test_archive_with_too_many_entries_is_refused() -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
        for i in range(checks.MAX_ENTRIES + 1):
            z.writestr(f"word/media/{i}.bin", b"")
    with pytest.raises(InvalidInput, match=r"частей|parts"):
        checks.check_upload("many.docx", out.getvalue(), 25 * MB)


def test_names_are_sanitised_for_display() -> None:
    kind = checks.PDF
    assert (
        checks.sanitise_filename("Приказ: «№ 5» <draft>?.PDF", kind) == "Приказ_ «№ 5» _draft__.pdf"
    )
    assert checks.sanitise_filename(" . . ", kind) == "document.pdf"
    assert len(checks.sanitise_filename("я" * 500 + ".pdf", kind)) == 154


def _docx_with(part: str, content_type: str | None = None) -> bytes:
    out = io.BytesIO()
    DocxDocument().save(out)
    source = zipfile.ZipFile(io.BytesIO(out.getvalue()))
    result = io.BytesIO()
    with zipfile.ZipFile(result, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "[Content_Types].xml" and content_type:
                data = data.replace(b"</Types>", content_type.encode() + b"</Types>")
            target.writestr(item, data)
        target.writestr(part, b"\xd0\xcf\x11\xe0 macro")
    return result.getvalue()


def test_a_macro_enabled_document_renamed_docx_is_refused() -> None:
    docm = _docx_with(
        "word/vbaProject.bin",
        '<Default Extension="bin" ContentType="application/vnd.ms-office.vbaProject"/>',
    )
    with pytest.raises(InvalidInput, match=r"macro|макрос"):
        checks.check_upload("Приказ.docx", docm, 10**7)


@pytest.mark.parametrize(
    "action",
    [
        b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>",
        b"/OpenAction << /S /J#61vaScript /JS (app.alert(1)) >>",  # an escaped name
        b"/AA << /O << /S /Launch /F (cmd.exe) >> >>",
        b"/Names << /EmbeddedFiles 9 0 R >>",
    ],
    ids=["javascript", "escaped", "launch", "attachment"],
)
def test_a_pdf_with_active_content_is_refused(action: bytes) -> None:
    pdf = simple_pdf("Приказ")
    active = pdf.replace(b"/Type /Catalog", b"/Type /Catalog " + action, 1)
    assert active != pdf
    with pytest.raises(InvalidInput, match="PDF"):
        checks.check_upload("Приказ.pdf", active, 10**7)


def test_a_script_hidden_in_an_object_stream_is_found() -> None:
    import zlib

    hidden = zlib.compress(b"1 0 << /S /JavaScript /JS (app.alert(1)) >>")
    pdf = (
        b"%PDF-1.5\n5 0 obj\n<< /Type /ObjStm /N 1 /First 4 /Filter /FlateDecode >>\nstream\n"
        + hidden
        + b"\nendstream\nendobj\n%%EOF\n"
    )
    with pytest.raises(InvalidInput, match="PDF"):
        checks.check_upload("Приказ.pdf", pdf, 10**7)


def test_image_bytes_that_spell_a_name_are_not_taken_for_a_script() -> None:
    pdf = simple_pdf("Скан")
    image = b"\nstream\n\xff\xd8/JS /Launch\xff\xd9\nendstream\n"
    scan = pdf.replace(b"%%EOF", image + b"%%EOF")
    kind, _name = checks.check_upload("Скан.pdf", scan, 10**7)
    assert kind is checks.PDF
