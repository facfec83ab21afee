"""Every Russian page the demo reaches, as each role walks it, reads in Russian: no English words
and no raw codes (``snake_case`` keys, ``dotted.actions``) outside the raw event an auditor opens,
code samples, e-mail addresses and file names."""

from __future__ import annotations

import html
import re
from collections import Counter

import pytest
from flask.testing import FlaskClient

from tests.conftest import DemoSite
from tests.helpers import demo_login

ROLES = (
    "ministry@oko.demo",
    "mun1@oko.demo",
    "edu990001@oko.demo",
    "auditor@oko.demo",
    "institute@oko.demo",
    "imc1@oko.demo",
    "admin@oko.demo",
)
PAGES_PER_ROLE = 45
SAME_KIND = 2  # pages of one kind (/cases/<n>) visited per role
# Not pages, or pages that change something: files, feeds, exports, the language switch.
SKIP = re.compile(
    r"/(logout|language|static/|api/)|/documents/\d+/v/|export|format=|\.ics|\.xlsx|\.docx"
    r"|/chart|download|verify=1|/calendar\.|/feed"
)
# Names of formats and standards that Russian pages write in Latin letters.
LATIN_TERMS = {
    "PDF",
    "DOCX",
    "XLSX",
    "CSV",
    "ODT",
    "ODS",
    "JPG",
    "JPEG",
    "PNG",
    "ICS",
    "API",
    "REST",
    "OpenAPI",
    "JSON",
    "SHA",
    "RU",
    "EN",
    "IANA",
    "UTC",
    "Email",
    "ZIP",
}
LATIN_WORD = re.compile(r"(?<![\w@./-])[A-Za-z]{3,}(?![\w@.-])")
RAW_CODE = re.compile(r"\b[a-z]+_[a-z_]+\b|\b[a-z]+\.[a-z_]{3,}\b")


def _visible_text(page: str) -> str:
    """What a reader sees, less what is meant to be technical: code, the raw event, the
    language menu, e-mail addresses and file names."""
    page = re.sub(r"(?s)<(script|style|code|pre)\b.*?</\1>", " ", page)
    page = re.sub(r'(?s)<details class="raw">.*?</details>', " ", page)
    page = re.sub(r'(?s)<select[^>]*name="locale".*?</select>', " ", page)
    page = html.unescape(re.sub(r"(?s)<[^>]+>", " ", page))
    page = re.sub(r"\S+@\S+", " ", page)
    return re.sub(r"\S+\.(pdf|docx|xlsx|csv|odt|ods|jpe?g|png|json)\b", " ", page, flags=re.I)


def _kind(path: str) -> str:
    return re.sub(r"\d+", "N", path.split("?")[0])


def _walk(client: FlaskClient) -> dict[str, str]:
    """Pages reachable from the start page by links, breadth first, a few of each kind."""
    seen: dict[str, str] = {}
    kinds: Counter[str] = Counter()
    queue = ["/"]
    while queue and len(seen) < PAGES_PER_ROLE:
        path = queue.pop(0)
        if path in seen:
            continue
        response = client.get(path, follow_redirects=True)
        assert response.status_code < 500, path
        if not response.content_type.startswith("text/html"):
            continue
        seen[path] = response.text
        for href in re.findall(r'href="(/[^"#]*)', response.text):
            href = html.unescape(href)
            if SKIP.search(href) or href in seen or kinds[_kind(href)] >= SAME_KIND:
                continue
            kinds[_kind(href)] += 1
            queue.append(href)
    return seen


@pytest.mark.parametrize("email", ROLES)
def test_every_page_a_role_reaches_is_in_russian(demo: DemoSite, email: str) -> None:
    client = demo.client()
    with demo.app.app_context():
        demo_login(client, email)
        pages = _walk(client)
    assert len(pages) >= 5, f"{email} reached only {sorted(pages)}"
    found: dict[str, set[str]] = {}
    for path, page in pages.items():
        text = _visible_text(page)
        for word in LATIN_WORD.findall(text):
            if word not in LATIN_TERMS:
                found.setdefault(word, set()).add(path)
        for code in RAW_CODE.findall(text):
            found.setdefault(code, set()).add(path)
    report = {word: sorted(paths)[:3] for word, paths in found.items()}
    assert not report, f"English words or codes on {email}'s pages: {report}"
