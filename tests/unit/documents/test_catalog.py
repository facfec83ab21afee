"""Templates and their context contracts: what a template may ask for, and refusing the rest."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import pytest
from docx import Document

from app.documents import render as r
from app.paperwork import catalog
from app.paperwork.catalog import COMMON_VARIABLES, KINDS, kind
from app.paperwork.samples import sample

ROOT = Path(__file__).resolve().parents[3]
KEYS = [k.key for k in KINDS]


def _docx(*lines: str) -> bytes:
    """A small template: one paragraph per line, each line a single run."""
    document = Document()
    for line in lines:
        document.add_paragraph().add_run(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def test_kinds_are_unique_and_have_their_template_files() -> None:
    assert len(set(KEYS)) == len(KEYS) == 12
    assert len({k.filename for k in KINDS}) == 12
    for k in KINDS:
        assert k.path.is_file(), k.path
        assert k.variables >= COMMON_VARIABLES
        assert str(k.title)  # a lazy English msgid that resolves outside a request too
    with pytest.raises(KeyError, match="nope"):
        kind("nope")


@pytest.mark.parametrize("key", KEYS)
def test_the_sample_context_provides_exactly_the_contract(key: str) -> None:
    assert set(sample(key)) == kind(key).variables


@pytest.mark.parametrize("key", KEYS)
def test_each_template_asks_only_for_its_contract(key: str) -> None:
    template = kind(key).bundled_template()
    declared = r.declared_variables(template)
    assert r.unknown_variables(template, catalog.kind(key).variables) == []
    assert set(kind(key).extra) <= declared  # the contract names nothing the template ignores


def test_a_template_asking_for_unknown_variables_is_reported_by_name() -> None:
    template = _docx(
        "{{ school.name }} {{ salary }}",
        "{% for row in items %}{{ row.measure }}{{ loop.index }}{% endfor %}",
        "{% for i in range(3) %}{{ i }}{% endfor %}{{ zeta|upper }}{{ document.date|ru_date }}",
    )
    assert r.declared_variables(template) == {"school", "salary", "items", "zeta", "document"}
    assert r.unknown_variables(template, catalog.kind("roadmap").variables) == ["salary", "zeta"]
    assert r.unknown_variables(template, catalog.kind("case_history").variables) == [
        "items",
        "salary",
        "zeta",
    ]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (b"not a word document", "not a .docx"),
        (_docx("{{ school.name "), "syntax"),
        (_docx("{% if school %}{{ school.name|shout }}{% endif %}"), "shout"),
        (_docx("{{ school.name|safe }}"), "safe"),  # escaping cannot be switched off
    ],
)
def test_broken_or_unsafe_templates_are_refused(template: bytes, message: str) -> None:
    with pytest.raises(r.DocumentTemplateError, match=message):
        r.declared_variables(template)


def test_templates_cannot_reach_python_internals() -> None:
    template = _docx("{{ school.name.__class__.__mro__ }}")
    with pytest.raises(r.DocumentTemplateError, match="unsafe"):
        r.render(template, {"school": {"name": "x"}})


def test_the_bundled_templates_are_what_the_build_script_makes(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location(
        "build_templates", ROOT / "tools" / "build_templates.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    for path in module.build(tmp_path):
        assert path.read_bytes() == kind(path.stem).bundled_template(), path.name
