"""The analytics pages and the self-analysis prefill speak Russian: no programmer English
(rule names, field names, English titles) and numbers with the decimal comma."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any

import pytest

from app.analytics.synthetic import csv_bytes, generate_region
from app.models import Role
from app.orgs.directory import import_directory
from app.stages.questionnaires import suggestions
from app.vpr import signs
from app.vpr.importer import import_results, read_specs
from tests.helpers import Factory, login, open_test_case

ALLOWED = {"XLSX", "CSV", "JSON", "PDF", "DOCX"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        self._skip += tag in ("script", "style")

    def handle_endtag(self, tag: str) -> None:
        self._skip -= tag in ("script", "style")

    def handle_data(self, data: str) -> None:
        if not self._skip:
            self.parts.append(data)


def english_words(html: str) -> set[str]:
    """Latin words of three letters or more in the visible text (logins left aside)."""
    parser = _Text()
    parser.feed(html)
    text = " ".join(parser.parts)
    words = set(re.findall(r"(?<![\w.])[A-Za-z_]{3,}\w*", text))
    return {w for w in words if w not in ALLOWED and not re.fullmatch(r"edu\d+", w)}


@pytest.fixture
def computed(make: Factory) -> dict[str, Any]:
    synthetic = generate_region(schools=60, seed=11, year=2024)
    region = make.region("Синтетическая область")
    assert import_directory(csv_bytes(synthetic.directory), region=region, actor=None).ok
    read_specs(json.dumps([s.to_dict() for s in synthetic.specs], ensure_ascii=False).encode())
    for year in sorted(synthetic.results):
        assert import_results(csv_bytes(synthetic.results[year]), region=region, actor=None).ok
    run = signs.compute_run(region, max(synthetic.results), actor=None)
    return {"region": region, "run": run, "ministry": make.user(Role.MINISTRY, region)}


def test_analytics_pages_have_no_english(client: Any, computed: dict[str, Any]) -> None:
    run = computed["run"]
    login(client, computed["ministry"])
    page = client.get(f"/vpr/signs/{run.id}")
    assert page.status_code == 200
    assert not english_words(page.text), english_words(page.text)
    flagged = sorted({m["school_login"] for m in run.markers if m["marker"]})
    assert flagged
    seen_rules = set()
    for login_ in flagged:
        school = client.get(f"/vpr/signs/{run.id}/{login_}")
        assert school.status_code == 200
        assert not english_words(school.text), (login_, english_words(school.text))
        assert (
            "Доля ложных обнаружений контролируется по всему предлагаемому перечню" in school.text
        )
        numbers = re.sub(r"версия \d+\.\d+", "", _visible(school.text))  # a rule's version
        assert not re.search(r"(?<![\d.])\d+\.\d+(?![\d.])", numbers)  # decimal commas
        seen_rules |= {e["rule"] for e in signs.evidence_of(run, login_)}
        data = client.get(f"/vpr/signs/{run.id}/{login_}/evidence.json")
        assert data.status_code == 200 and data.json[0]["rule"] in seen_rules  # technical form
    assert len(seen_rules) >= 2


def _visible(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return " ".join(parser.parts)


def test_the_self_analysis_prefill_is_russian(app: Any, computed: dict[str, Any]) -> None:
    run, region = computed["run"], computed["region"]
    login_ = next(m["school_login"] for m in run.markers if m["marker"])
    from app.extensions import db
    from app.models import Organisation

    school = db.session.query(Organisation).filter_by(login=login_).one()
    case = open_test_case(school, year=run.year)
    with app.test_request_context(headers={"Accept-Language": "ru"}):
        text = suggestions(case, "self_analysis").get("tasks", "")
    assert text and not english_words(text), english_words(text)
    assert not re.search(r"(?<![\d.])\d+\.\d+(?![\d.])", text)
    assert "basic_rate" not in text and "fdr" not in text and "e-0" not in text
    del region
