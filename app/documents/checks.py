"""Upload checks: the type is recognised by content, archives are inspected for bombs, names
are sanitised. Every refusal carries a message for the user."""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from flask_babel import gettext as _

from app.errors import InvalidInput

MAX_ENTRIES = 2000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
MAX_RATIO = 100
_UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')


@dataclass(frozen=True)
class FileType:
    extension: str
    mime: str
    label: str


PDF = FileType("pdf", "application/pdf", "PDF")
PNG = FileType("png", "image/png", "PNG")
JPEG = FileType("jpg", "image/jpeg", "JPEG")
DOCX = FileType(
    "docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", "DOCX"
)
XLSX = FileType("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX")
ODT = FileType("odt", "application/vnd.oasis.opendocument.text", "ODT")
ODS = FileType("ods", "application/vnd.oasis.opendocument.spreadsheet", "ODS")
EXTENSIONS = {
    "pdf": PDF,
    "png": PNG,
    "jpg": JPEG,
    "jpeg": JPEG,
    "docx": DOCX,
    "xlsx": XLSX,
    "odt": ODT,
    "ods": ODS,
}


def _unsupported() -> InvalidInput:
    return InvalidInput(
        _("This kind of file is not accepted. Upload PDF, DOCX, XLSX, ODT, ODS, JPG or PNG.")
    )


def _check_archive(archive: zipfile.ZipFile) -> None:
    """Refuse archive bombs: too many entries, too much data, or an absurd compression ratio."""
    entries = archive.infolist()
    if len(entries) > MAX_ENTRIES:
        raise InvalidInput(_("The file contains too many parts to be a normal office document."))
    declared = 0
    for entry in entries:
        declared += entry.file_size
        if entry.compress_size and entry.file_size / entry.compress_size > MAX_RATIO:
            raise InvalidInput(_("The file is compressed suspiciously strongly and is refused."))
    if declared > MAX_UNCOMPRESSED:
        raise InvalidInput(_("The file unpacks to too much data and is refused."))
    # Sizes in the directory can lie: count what really comes out, and stop at the limit.
    total = 0
    for entry in entries:
        with archive.open(entry) as stream:
            while chunk := stream.read(1 << 20):
                total += len(chunk)
                if total > MAX_UNCOMPRESSED:
                    raise InvalidInput(_("The file unpacks to too much data and is refused."))


# Parts that carry macros or embedded controls: a .docm or .xlsm renamed .docx or .xlsx, an
# OpenDocument with Basic or scripts.
_ACTIVE_PARTS = re.compile(r"(vbaProject\.bin|vbaData\.xml|activeX/|^Basic/|^Scripts/)", re.I)
_ACTIVE_CONTENT_TYPES = re.compile(rb"macroEnabled|vbaProject|ms-office\.activeX", re.I)


def _refuse_macros(archive: zipfile.ZipFile, names: set[str]) -> None:
    types = archive.read("[Content_Types].xml") if "[Content_Types].xml" in names else b""
    if any(_ACTIVE_PARTS.search(n) for n in names) or _ACTIVE_CONTENT_TYPES.search(types):
        raise InvalidInput(
            _("Documents with macros are not accepted: save it as an ordinary DOCX, XLSX or PDF.")
        )


# What makes a PDF act rather than show: scripts, launching programs, embedded files or media,
# submitting forms. Names may be written with #xx escapes and inside compressed streams.
_PDF_ACTIVE = frozenset(
    {
        b"JavaScript",
        b"JS",
        b"Launch",
        b"RichMedia",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"SubmitForm",
        b"ImportData",
        b"GoToE",
    }
)
_PDF_NAME = re.compile(rb"/([A-Za-z0-9#]+)")
_PDF_STREAM = re.compile(rb"stream\r?\n")
MAX_PDF_INFLATED = 64 * 1024 * 1024


def _pdf_names(blob: bytes) -> set[bytes]:
    return {
        re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), n)
        for n in _PDF_NAME.findall(blob)
    }


def _pdf_object_text(data: bytes) -> list[bytes]:
    """The PDF's objects as text: what lies outside its streams, and the inflated object
    streams (where PDF 1.5 may keep dictionaries); images and fonts are left out, since their
    bytes can spell anything."""
    parts: list[bytes] = []
    position, inflated = 0, 0
    for match in _PDF_STREAM.finditer(data):
        if match.start() < position:
            continue
        end = data.find(b"endstream", match.end())
        if end < 0:
            break
        parts.append(data[position : match.start()])
        if b"/ObjStm" in data[max(0, match.start() - 400) : match.start()]:
            try:
                plain = zlib.decompressobj().decompress(
                    data[match.end() : end], MAX_PDF_INFLATED - inflated
                )
            except zlib.error:
                plain = b""
            inflated += len(plain)
            parts.append(plain)
        position = end + len(b"endstream")
    parts.append(data[position:])
    return parts


def _refuse_active_pdf(data: bytes) -> None:
    names: set[bytes] = set()
    for part in _pdf_object_text(data):
        names |= _pdf_names(part)
    if names & _PDF_ACTIVE:
        raise InvalidInput(
            _("PDF files with scripts, attachments or actions are not accepted: print it to PDF.")
        )


def _office_type(data: bytes) -> FileType:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            _check_archive(archive)
            names = set(archive.namelist())
            _refuse_macros(archive, names)
            if "mimetype" in names:
                mimetype = archive.read("mimetype").decode("ascii", "replace").strip()
                for kind in (ODT, ODS):
                    if mimetype == kind.mime:
                        return kind
            if "[Content_Types].xml" in names:
                if "word/document.xml" in names:
                    return DOCX
                if "xl/workbook.xml" in names:
                    return XLSX
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, EOFError) as exc:
        raise InvalidInput(_("The file is damaged and cannot be read.")) from exc
    raise _unsupported()


def detect(data: bytes) -> FileType:
    """The file's type from its content (magic bytes; the structure of office archives);
    macro-enabled office files and PDFs with active content are refused."""
    if data.startswith(b"%PDF-"):
        _refuse_active_pdf(data)
        return PDF
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"PK\x03\x04"):
        return _office_type(data)
    raise _unsupported()


def sanitise_filename(name: str, kind: FileType) -> str:
    """A safe display name: no directories, no control or reserved characters, bounded length."""
    base = re.split(r"[\\/]", unicodedata.normalize("NFC", name or ""))[-1]
    base = _UNSAFE.sub("_", base)
    base = " ".join(base.split()).strip(" .")
    stem, dot, _ext = base.rpartition(".")
    stem = (stem if dot else base).strip(" .") or "document"
    return f"{stem[:150]}.{kind.extension}"


def _basic_checks(name: str, data: bytes, max_bytes: int) -> None:
    """What every upload must pass: not empty, a bare file name, within the size limit."""
    if not data:
        raise InvalidInput(_("The file is empty."))
    if re.search(r"[\\/\x00]", name) or name.startswith(".."):  # browsers send bare names
        raise InvalidInput(_("The file name must not contain folders or «..»."))
    if len(data) > max_bytes:
        raise InvalidInput(_("The file is larger than %(mb)d MB.", mb=max_bytes // (1024 * 1024)))


def check_upload(name: str, data: bytes, max_bytes: int) -> tuple[FileType, str]:
    """Validate an upload; return its type and sanitised name, or raise InvalidInput."""
    _basic_checks(name, data, max_bytes)
    kind = detect(data)
    claimed = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if claimed and claimed in EXTENSIONS and EXTENSIONS[claimed] is not kind:
        raise InvalidInput(
            _(
                "The file's name ends in .%(claimed)s but its content is %(real)s.",
                claimed=claimed,
                real=kind.label,
            )
        )
    if claimed and claimed not in EXTENSIONS:
        raise InvalidInput(
            _("Files ending in .%(claimed)s are not accepted.", claimed=claimed[:10])
        )
    return kind, sanitise_filename(name, kind)


CSV = FileType("csv", "text/csv", "CSV")


def check_data_file(name: str, data: bytes, max_bytes: int) -> tuple[FileType, str]:
    """A data table for the analytics: XLSX, or CSV text in UTF-8 or Windows-1251."""
    _basic_checks(name, data, max_bytes)
    if data.startswith(b"PK\x03\x04"):
        kind = _office_type(data)
        if kind is not XLSX:
            raise InvalidInput(_("Upload the table as XLSX or CSV."))
        return kind, sanitise_filename(name, kind)
    if b"\x00" in data[:4096]:
        raise InvalidInput(_("Upload the table as XLSX or CSV."))
    return CSV, sanitise_filename(name, CSV)
