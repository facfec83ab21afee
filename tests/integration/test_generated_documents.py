"""Documents generated from real case data: they contain the case's values, survive hostile
text, convert to PDF with LibreOffice, and are stored as versions with their template version."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from docx import Document as Docx

from app.access import is_reviewer
from app.access.records import GENERATORS
from app.demo.cases import extend_plan
from app.documents import storage
from app.errors import InvalidInput, NotAllowed
from app.extensions import db
from app.legal.orders import OrderValues, record_order
from app.models import AuditEvent, Category, ObligationStatus, RoadmapStatus
from app.paperwork.catalog import KINDS
from app.paperwork.generate import applies, generate, register_template
from app.russian import inflect
from app.stages import attachments, questionnaires
from app.stages.records import current_obligation
from app.stages.roadmaps import ItemValues, roadmap_of, save_item
from app.workflows.obligations import review
from tests.helpers import open_test_case
from tests.unit.documents.docx_text import text as docx_text

HOSTILE = "Кружок «Юный математик» <b>&amp; \"кавычки\" 'апостроф'"


def _marks_csv(login: str) -> bytes:
    lines = [
        "Год;Логин ОО;Класс;Код участника;Предмет;Четверть 1;Четверть 2;Четверть 3;Четверть 4;Промежуточная аттестация;ВПР"
    ]
    for i in range(24):
        journal = 3 + (i % 3)
        vpr = max(2, journal - (1 if i % 4 == 0 else 0))
        lines.append(
            f"2024;{login};4А;p{i:03d};Русский язык;{journal};{journal};{journal};{journal};{journal};{vpr}"
        )
    return "\n".join(lines).encode("utf-8")


def _recheck_csv(login: str) -> bytes:
    lines = [
        "Логин ОО;Предмет;Параллель;Код участника;Первичный балл ОО;Первичный балл перепроверка;Отметка ОО;Отметка перепроверка"
    ]
    for i in range(12):
        school, expert = 20 + i % 5, 20 + i % 5 - (2 if i % 3 == 0 else 0)
        lines.append(
            f"{login};Русский язык;4;p{i:03d};{school};{expert};{4 if school >= 22 else 3};{4 if expert >= 22 else 3}"
        )
    return "\n".join(lines).encode("utf-8")


@pytest.fixture
def rich_case(world: dict[str, Any]) -> Any:
    school = world["schools"]["a1"]
    school.name = f"МБОУ «СОШ № 1» {HOSTILE}"
    school.director = "Иванова Ирина Ивановна"
    case = open_test_case(school)
    open_test_case(world["schools"]["a2"])
    # The plan asks for everything there is to print: a self-analysis and a school roadmap too.
    extend_plan(case.campaign, world["users"]["ministry"])
    roadmap = roadmap_of(school, case.campaign, "objectivity", actor=world["users"]["school_a1"])
    save_item(
        roadmap,
        None,
        ItemValues(HOSTILE, "март", "Директор", "Проведено", RoadmapStatus.DONE, "<ok>"),
        actor=world["users"]["school_a1"],
    )
    attachments.upload(
        case,
        "student_marks",
        "marks.csv",
        _marks_csv(school.login),
        actor=world["users"]["school_a1"],
    )
    attachments.upload(
        case,
        "recheck_results",
        "recheck.csv",
        _recheck_csv(school.login),
        actor=world["users"]["municipal_a"],
    )
    return case


def _actor(world: dict[str, Any], key: str) -> Any:
    return world["users"]["auditor" if key == "case_history" else "ministry"]


def _text(docx_bytes: bytes) -> str:
    doc = Docx(io.BytesIO(docx_bytes))
    parts = [p.text for p in doc.paragraphs]
    for table in doc.tables:
        for row in table.rows:
            parts += [c.text for c in row.cells]
    return "\n".join(parts)


def test_each_document_is_generated_from_the_case(
    world: dict[str, Any], rich_case: Any, tmp_path: Path
) -> None:
    generated = {}
    # Stage records print from their pages; the ШНОР joint plan belongs to the other track.
    for kind in (k for k in KINDS if k.key in GENERATORS and applies(rich_case, k.key)):
        version = generate(rich_case, kind.key, actor=_actor(world, kind.key))
        assert version.template_key == kind.key and version.template_version == 1
        data = storage.store().get(version.sha256)
        text = _text(data)
        name = (
            inflect(rich_case.municipality.name, "gent", in_sentence=True)
            if kind.key == "municipal_order"
            else rich_case.school.name
        )
        assert name in text, kind.key  # hostile characters came through as text
        generated[kind.key] = data
    assert "Иванова Ирина Ивановна" in _text(generated["municipal_order"])
    certificate = _text(generated["information_certificate"])
    assert "Промежуточная аттестация" in certificate and "ВПР" in certificate
    assert (
        len(Docx(io.BytesIO(generated["information_certificate"])).inline_shapes) >= 1
    )  # the chart
    assert "12" in _text(generated["recheck_protocol"])
    history = _text(generated["case_history"])
    hashes = db.session.scalars(
        sa.select(AuditEvent.hash)
        .where(AuditEvent.case_id == rich_case.id)
        .order_by(AuditEvent.seq)
    ).all()[:-1]  # the last one records the generation of this very report
    assert hashes and all(h in history for h in hashes)  # every event with its hash
    _convert_and_check(generated, rich_case, tmp_path)


def _convert_and_check(generated: dict[str, bytes], case: Any, tmp_path: Path) -> None:
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice is missing (Debian's libreoffice-writer-nogui)")
        pytest.skip("LibreOffice is not installed")
    from pypdf import PdfReader

    files = []
    for key, data in generated.items():
        path = tmp_path / f"{key}.docx"
        path.write_bytes(data)
        files.append(str(path))
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            *files,
        ],
        check=True,
        capture_output=True,
        timeout=240,
    )
    shutil.rmtree(profile, ignore_errors=True)
    for key in generated:
        text = " ".join(
            " ".join(p.extract_text().split()) for p in PdfReader(tmp_path / f"{key}.pdf").pages
        )
        expected = (
            inflect(case.municipality.name, "gent", in_sentence=True)
            if key == "municipal_order"
            else "МБОУ «СОШ № 1»"
        )
        assert expected in text, f"{key}: the PDF does not name the organisation"


def test_who_may_generate_what(world: dict[str, Any], rich_case: Any) -> None:
    with pytest.raises(NotAllowed):
        generate(rich_case, "recheck_protocol", actor=world["users"]["school_a1"])
    with pytest.raises(NotAllowed):
        generate(rich_case, "case_history", actor=world["users"]["school_a1"])
    with pytest.raises(NotAllowed):
        generate(rich_case, "self_analysis", actor=world["users"]["school_b1"])
    assert generate(rich_case, "self_analysis", actor=world["users"]["school_a1"]).number == 1
    assert generate(rich_case, "self_analysis", actor=world["users"]["school_a1"]).number == 2


def test_a_template_asking_for_unknown_variables_is_refused(
    world: dict[str, Any], rich_case: Any
) -> None:
    doc = Docx()
    doc.add_paragraph("{{ school.name }} {{ secret_salary }} {{ director_home_address }}")
    out = io.BytesIO()
    doc.save(out)
    with pytest.raises(InvalidInput) as err:
        register_template(
            "self_analysis", out.getvalue(), "bad.docx", actor=world["users"]["admin"]
        )
    assert "director_home_address" in err.value.message and "secret_salary" in err.value.message
    with pytest.raises(NotAllowed):
        register_template(
            "self_analysis", out.getvalue(), "bad.docx", actor=world["users"]["ministry"]
        )


def test_a_new_template_version_is_used_and_recorded(world: dict[str, Any], rich_case: Any) -> None:
    doc = Docx()
    doc.add_paragraph("Самоанализ школы {{ school.name }} ({{ campaign.title }})")
    out = io.BytesIO()
    doc.save(out)
    row = register_template(
        "self_analysis", out.getvalue(), "v2.docx", actor=world["users"]["admin"]
    )
    assert row.version == 2
    version = generate(rich_case, "self_analysis", actor=world["users"]["school_a1"])
    assert version.template_version == 2
    assert "Самоанализ школы МБОУ «СОШ № 1»" in _text(storage.store().get(version.sha256))


def test_a_shnor_case_offers_and_prints_no_objectivity_papers(world: dict[str, Any]) -> None:
    from app.paperwork.generate import kinds_for

    ministry = world["users"]["ministry"]
    case = open_test_case(world["schools"]["a2"], category=Category.LOW_RESULTS)
    offered = {k.key for k in kinds_for(ministry, case)}
    # its own roadmap and monthly report, the joint plan with its leader school, and the
    # auditors' report
    assert offered == {"roadmap", "roadmap_report", "shnor_joint_plan", "case_history"}
    for key in ("municipal_order", "self_analysis", "information_certificate", "recheck_protocol"):
        with pytest.raises(InvalidInput, match=r"track|направлени|перечн"):
            generate(case, key, actor=ministry)
    roadmap = roadmap_of(
        case.school, case.campaign, "low_results", actor=world["users"]["school_a1"]
    )
    assert "эффективный режим функционирования" in roadmap.title
    assert not any("объективност" in item.measure.lower() for item in roadmap.items)


ORDER = {
    "number": "1592/1",
    "date": date(2023, 11, 3),
    "title": "«Об утверждении перечня общеобразовательных организаций с признаками "
    "необъективных результатов в распределении по уровням управленческого сопровождения»",
    "issuer": "Министерство образования Первой области",
    "signatory_name": "Е. В. Соколова",
    "signatory_position": "Министр образования Первой области",
}


def _print_every_kind(world: dict[str, Any], case: Any, shnor: Any) -> dict[str, bytes]:
    """Every kind as the product prints it: the generated ones from the objectivity case, the
    stage record from the ШНОР case's risk questionnaire handed in by its school."""
    printed = {}
    for key in GENERATORS:
        target = case if applies(case, key) else shnor
        version = generate(target, key, actor=_actor(world, key))
        printed[key] = storage.store().get(version.sha256)
    school = world["users"]["school_a1"]
    obligation = current_obligation(shnor, "form:risk_questionnaire")
    if obligation.status is ObligationStatus.SUBMITTED:  # printed before: back for a reprint
        reviewer = next(u for u in world["users"].values() if is_reviewer(u, obligation))
        review(
            obligation.id, accept=False, actor=reviewer, expected_version=None, comment="Ещё раз"
        )
    else:
        questionnaires.save(
            shnor,
            "risk_questionnaire",
            {"equipment": "Кабинеты оснащены", "staff": "Вакансия учителя математики"},
            actor=school,
            expected_version=None,
        )
    version = questionnaires.submit(shnor, "risk_questionnaire", actor=school)
    assert version.template_key == "stage_form"
    printed["stage_form"] = storage.store().get(version.sha256)
    assert set(printed) == {k.key for k in KINDS}
    return printed


def test_every_document_prints_the_order_when_it_is_recorded(
    world: dict[str, Any], rich_case: Any, tmp_path: Path
) -> None:
    """Without a recorded order no document prints a blank in its place; once the ministry
    records it, every document cites its number and date (read back from the .docx and from the
    PDF LibreOffice makes of it)."""
    shnor = open_test_case(world["schools"]["a1"], category=Category.LOW_RESULTS)
    assert rich_case.campaign.order_number is None and rich_case.campaign.order_date is None
    without = _print_every_kind(world, rich_case, shnor)
    record_order(
        rich_case.campaign,
        OrderValues(**ORDER),
        actor=world["users"]["ministry"],
        today=date(2023, 11, 10),
        expected_version=None,
    )
    recorded = _print_every_kind(world, rich_case, shnor)
    for key, data in without.items():
        content = docx_text(data)
        assert "___" not in content, f"{key} prints blanks without an order"
        assert "1592/1" not in content and "(приказ" not in content, key
    for key, data in recorded.items():
        content = docx_text(data)
        day = "«03» ноября 2023 г." if key == "regional_order" else "03.11.2023"  # itself
        assert "№ 1592/1" in content and day in content, f"{key} does not cite the order"
        assert "___" not in content, key
    preamble = docx_text(recorded["municipal_order"])
    assert (
        "во исполнение приказа Министерства образования Первой области от 03.11.2023 № 1592/1 "
        "«Об утверждении перечня общеобразовательных организаций" in preamble
    )  # the issuer in the genitive, the title in its quotes once
    assert "(приказ Министерства образования Первой области от 03.11.2023 № 1592/1)" in (
        docx_text(recorded["recheck_protocol"])
    )
    pdfs = _to_pdf({f"{k}-without": v for k, v in without.items()} | recorded, tmp_path)
    for key, text in pdfs.items():
        assert "___" not in text, f"{key}: the PDF prints blanks"
        if not key.endswith("-without"):
            day = "«03» ноября 2023 г." if key == "regional_order" else "03.11.2023"
            assert "1592/1" in text and day in text, f"{key}: the PDF lacks the order"


def _to_pdf(documents: dict[str, bytes], tmp_path: Path) -> dict[str, str]:
    """Each document converted by LibreOffice (one call), as its PDF's words."""
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice is missing (Debian's libreoffice-writer-nogui)")
        pytest.skip("LibreOffice is not installed")
    from pypdf import PdfReader

    folder = tmp_path / "pdf"
    folder.mkdir()
    for key, data in documents.items():
        (folder / f"{key}.docx").write_bytes(data)
    profile = tempfile.mkdtemp(prefix="lo-profile-")
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "pdf",
            "--outdir",
            str(folder),
            *(str(folder / f"{key}.docx") for key in documents),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    shutil.rmtree(profile, ignore_errors=True)
    return {
        key: " ".join(
            " ".join((p.extract_text() or "").split())
            for p in PdfReader(folder / f"{key}.pdf").pages
        )
        for key in documents
    }
