"""Filling the .docx templates of generated documents (docxtpl, autoescaped and sandboxed).

Templates are Jinja inside Word XML. Every value printed with ``{{ … }}`` is XML-escaped
(``autoescape=True``), stripped of characters XML forbids, and ``None`` prints as nothing; the
environment is a sandbox without the ``safe`` filter, so neither a value nor an uploaded template
can break the document or reach Python internals. A newline in a value starts a new paragraph
with the same formatting (docxtpl's ``\\a``), so justified text is not stretched.

Filters available to templates:

* ``ru_date`` — «29» декабря 2023 г.; a missing date gives «___» ________ 20__ г.
* ``short_date`` — 29.12.2023;  ``date_time`` — 29.12.2023 14:05 in the document time zone
  (stored moments are UTC; naive ones are taken as UTC). Strings pass through unchanged, so a
  deadline may also be text such as «ежемесячно»; a missing value gives «—».
* ``num(digits=2)`` — 0,71 (decimal comma, minus sign);  ``signed(digits=2)`` — +0,45;
  ``pct(digits=0)`` — a share 0…1 as «83 %»;  ``pvalue`` — «< 0,001» or «0,034». Missing → «—».
* ``signature`` — a person as a signature block writes them: «Н.А. Строганова» from
  «Строганова Наталья Александровна» (petrovich's name parts; a missing name gives nothing).
* ``image(max_width_cm=16, max_height_cm=11)`` — charts: the context carries image *names*,
  e.g. ``charts: [{"title": "…", "image": "spearman"}]``, the template writes
  ``{{ chart.image|image }}`` and ``render(..., images={"spearman": png_bytes})`` supplies the
  PNG, scaled to fit the box with its proportions kept; an unknown name prints
  «[диаграмма отсутствует]».
"""

from __future__ import annotations

import functools
import io
import logging
import math
import re
import struct
import zipfile
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from jinja2 import StrictUndefined, TemplateError, Undefined, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from app.i18n import RU_MONTHS_GENITIVE
from app.people import signature

if TYPE_CHECKING:
    from docxtpl import DocxTemplate  # imported when a document is first rendered

logger = logging.getLogger(__name__)

DEFAULT_TIMEZONE = "Europe/Moscow"
BLANK_DATE = "«___» ________ 20__ г."
DASH = "—"
MISSING_IMAGE = "[диаграмма отсутствует]"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
# XML 1.0 allows tab, newline (CR is normalised to it first) and these ranges; the rest goes.
_ILLEGAL_XML = re.compile("[^\t\n\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)


class DocumentTemplateError(ValueError):
    """A template that cannot be read or rendered; the message says why."""


def clean_text(text: str) -> str:
    """Text safe inside Word XML: CR/LF normalised to LF, forbidden characters dropped."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL_XML.sub("", text)


def _finalize(value: Any) -> Any:
    """Applied to every printed value before escaping: cleaned, newlines as paragraph breaks."""
    if value is None:
        return ""
    if isinstance(value, Markup):
        # Already escaped (e.g. by `join`); only characters are removed, none are added.
        return Markup(clean_text(str(value)).replace("\n", "\a"))  # noqa: S704
    if isinstance(value, str):
        return clean_text(value).replace("\n", "\a")
    return value


def _missing(value: Any) -> bool:
    if value is None or isinstance(value, Undefined):
        return True
    return isinstance(value, float) and math.isnan(value)


def _local(value: datetime, tz: ZoneInfo) -> datetime:
    """A stored moment in the document's time zone (naive values are UTC)."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.astimezone(tz)


def _as_date(value: date, tz: ZoneInfo) -> date:
    """The calendar day of a date, or of a moment in the document's time zone."""
    return _local(value, tz).date() if isinstance(value, datetime) else value


def ru_date(value: Any, tz: ZoneInfo | None = None) -> str:
    """«29» декабря 2023 г.; blanks for a missing date; a string is returned unchanged."""
    if _missing(value):
        return BLANK_DATE
    if isinstance(value, str):
        return value
    day = _as_date(value, tz or ZoneInfo(DEFAULT_TIMEZONE))
    return f"«{day.day:02d}» {RU_MONTHS_GENITIVE[day.month - 1]} {day.year} г."


def short_date(value: Any, tz: ZoneInfo | None = None) -> str:
    """29.12.2023; «—» for a missing date; a string is returned unchanged."""
    if _missing(value):
        return DASH
    if isinstance(value, str):
        return value
    return _as_date(value, tz or ZoneInfo(DEFAULT_TIMEZONE)).strftime("%d.%m.%Y")


def date_time(value: Any, tz: ZoneInfo | None = None) -> str:
    """29.12.2023 14:05 in the given zone (Moscow by default); «—» for a missing moment."""
    if _missing(value):
        return DASH
    if isinstance(value, str):
        return value
    if not isinstance(value, datetime):
        return short_date(value, tz)
    return _local(value, tz or ZoneInfo(DEFAULT_TIMEZONE)).strftime("%d.%m.%Y %H:%M")


def num(value: Any, digits: int = 2) -> str:
    """A number the Russian way: decimal comma, typographic minus; «—» when missing."""
    if _missing(value):
        return DASH
    if isinstance(value, str):
        return value
    text = f"{float(value):.{digits}f}"
    if float(text) == 0:
        text = text.lstrip("-")  # no «−0,00»
    return text.replace(".", ",").replace("-", "−")


def signed(value: Any, digits: int = 2) -> str:
    """A change with its sign: +0,45 / −0,45 / 0,00."""
    text = num(value, digits)
    if text == DASH or text.startswith("−") or not any(c in "123456789" for c in text):
        return text
    return "+" + text


def pct(value: Any, digits: int = 0) -> str:
    """A share 0…1 as a percentage: 0.834 → «83 %»."""
    if _missing(value):
        return DASH
    return f"{num(100 * float(value), digits)}\u00a0%"


def pvalue(value: Any) -> str:
    """A p-value: «< 0,001» for tiny ones, otherwise three decimals."""
    if _missing(value):
        return DASH
    return "<\u00a00,001" if float(value) < 0.001 else num(value, 3)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels from a PNG header; ValueError if it is not a PNG."""
    if not data.startswith(PNG_MAGIC) or len(data) < 24:
        raise ValueError("not a PNG image")
    width, height = struct.unpack(">II", data[16:24])
    return int(width), int(height)


def _image_filter(tpl: DocxTemplate, images: Mapping[str, bytes]) -> Callable[..., Any]:
    def image(name: Any, max_width_cm: float = 16, max_height_cm: float = 11) -> Any:
        data = images.get(str(name)) if not _missing(name) else None
        if data is None:
            logger.warning("document image %r was not supplied", name)
            return MISSING_IMAGE
        try:
            width, height = png_size(data)
        except ValueError:
            raise DocumentTemplateError(f"image {name!r} is not a PNG file") from None
        fitted = min(max_width_cm, max_height_cm * width / max(height, 1))
        from docx.shared import Cm
        from docxtpl import InlineImage

        return InlineImage(tpl, io.BytesIO(data), width=Cm(fitted))

    return image


class _DocumentEnvironment(ImmutableSandboxedEnvironment):
    """The sandbox whose compiled templates are kept by their source text.

    docxtpl compiles every XML part of a template on each render, and compiling takes about a
    third of a render. The compiled code depends only on the source and on what is the same for
    every environment made here (the class, autoescape, finalize); filters, the undefined type
    and the sandbox's checks are looked up when the code runs, on the rendering environment.
    """

    def compile(  # type: ignore[override]
        self,
        source: str | nodes.Template,
        name: str | None = None,
        filename: str | None = None,
        raw: bool = False,
        defer_init: bool = False,
    ) -> Any:
        if raw:
            return super().compile(source, name, filename, True, defer_init)
        if not isinstance(source, str):
            return super().compile(source, name, filename, False, defer_init)
        return _compiled(source, name, filename, defer_init)


@functools.lru_cache(maxsize=256)  # XML parts of templates kept compiled
def _compiled(source: str, name: str | None, filename: str | None, defer_init: bool) -> Any:
    """The code of one XML part, compiled by an environment made as every document's is."""
    return ImmutableSandboxedEnvironment.compile(
        _prototype(), source, name, filename, False, defer_init
    )


@functools.cache
def _prototype() -> ImmutableSandboxedEnvironment:
    return make_environment()


def make_environment(
    tpl: DocxTemplate | None = None,
    images: Mapping[str, bytes] | None = None,
    *,
    timezone: str = DEFAULT_TIMEZONE,
    strict: bool = False,
) -> ImmutableSandboxedEnvironment:
    """The sandboxed, autoescaping Jinja environment with the document filters."""
    tz = ZoneInfo(timezone)
    env = _DocumentEnvironment(
        autoescape=True,
        finalize=_finalize,
        undefined=StrictUndefined if strict else Undefined,
    )
    del env.filters["safe"]  # user text must never reach the XML unescaped
    env.filters.update(
        ru_date=lambda v: ru_date(v, tz),
        short_date=lambda v: short_date(v, tz),
        date_time=lambda v: date_time(v, tz),
        num=num,
        signed=signed,
        pct=pct,
        pvalue=pvalue,
        signature=lambda v: "" if _missing(v) or not str(v).strip() else signature(str(v)),
        image=_image_filter(tpl, images or {}) if tpl is not None else (lambda v, *a: v),
    )
    return env


def _open(template: bytes) -> DocxTemplate:
    """A DocxTemplate over the bytes, refusing anything that is not a Word document."""
    from docxtpl import DocxTemplate

    tpl = DocxTemplate(io.BytesIO(template))
    try:
        tpl.init_docx()
    except Exception as exc:  # python-docx raises several unrelated types for a bad package
        raise DocumentTemplateError("the file is not a .docx document") from exc
    return tpl


def _check_names(tpl: DocxTemplate, env: ImmutableSandboxedEnvironment) -> None:
    """Refuse filters and tests the environment does not have, wherever they are used."""
    source = tpl.patch_xml(tpl.get_xml())
    for node in env.parse(source).find_all((nodes.Filter, nodes.Test)):
        known = env.filters if isinstance(node, nodes.Filter) else env.tests
        if node.name not in known:
            raise DocumentTemplateError(f"unknown filter or test: {node.name}")


def declared_variables(template: bytes) -> set[str]:
    """Top-level names the template reads from the context (body, headers and footers)."""
    tpl = _open(template)
    env = make_environment()
    try:
        _check_names(tpl, env)
        names = tpl.get_undeclared_template_variables(jinja_env=env)
    except TemplateError as exc:
        raise DocumentTemplateError(f"template syntax: {exc.message}") from exc
    return set(names) - set(env.globals)


def unknown_variables(template: bytes, provided: frozenset[str]) -> list[str]:
    """Names the template asks for that the context (``provided`` names) does not have."""
    return sorted(declared_variables(template) - provided)


def normalise_docx(data: bytes) -> bytes:
    """The same package with fixed zip timestamps, so equal content gives equal bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_EPOCH)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o644 << 16
            target.writestr(fixed, source.read(info.filename))
    return out.getvalue()


def render(
    template: bytes,
    context: Mapping[str, Any],
    images: Mapping[str, bytes] | None = None,
    *,
    timezone: str = DEFAULT_TIMEZONE,
    strict: bool = False,
) -> bytes:
    """The filled document as .docx bytes; `strict` makes any missing name or key an error."""
    tpl = _open(template)
    env = make_environment(tpl, images, timezone=timezone, strict=strict)
    try:
        tpl.render(dict(context), env, autoescape=True)
    except TemplateError as exc:
        raise DocumentTemplateError(f"template: {exc.message}") from exc
    out = io.BytesIO()
    tpl.save(out)
    return normalise_docx(out.getvalue())
