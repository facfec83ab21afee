"""Every generated document read back as an official would read it beside the seeds: each kind
is rendered by LibreOffice headless to PDF, its text extracted, and the genre's parts asserted —
the issuer in full, the place, the date and number, the basis citing the campaign's order, the
operative word of the issuer's kind, numbered points, signatures «И.О. Фамилия», no blanks, no
«→», no Latin codes and none of the known inflection errors. Page images are kept in
test-artifacts/<backend>/document_genres/."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from app.demo.cases import extend_plan
from app.documents import storage
from app.extensions import db
from app.i18n import russian_document_date
from app.legal.orders import OrderValues, record_order
from app.legal.registration import record_signature, state_of
from app.models import Document
from app.paperwork import conclusions
from app.paperwork.generate import generate, hand_in_generated
from app.stages import attachments
from app.stages.roadmaps import roadmap_of
from app.workflows.clock import case_date
from tests.conftest import BACKEND
from tests.helpers import open_test_case
from tests.integration.test_generated_documents import _marks_csv, _recheck_csv

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / BACKEND / "document_genres"
SCHOOL = (
    "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № 1»"
)
ORDER = OrderValues(
    number="1488",
    date=date(2026, 11, 3),
    title="Об утверждении перечня общеобразовательных организаций Первой области с признаками "
    "необъективных результатов процедур оценки качества образования",
    issuer="Министерство образования Первой области",
    signatory_name="Воронцова Нина Сергеевна",
    signatory_position="Министр образования Первой области",
)
# What an official circles in red: wrong cases, blanks, an empty position, stray symbols.
KNOWN_ERRORS = (
    "в Муниципальное",
    "Директор Муниципальное",
    "Директор Муниципального",
    "учреждение «Средняя общеобразовательная школа № 1» (Район А) включена",
    ", .",
    "г..",
    "→",
    "___",
    "Степанова Светлана Владимировна,",
    "Ольгы",
    "Назначить ответственным",
)
# Latin letters an official paper may hold: e-mail addresses, the ФИС ОКО login, file names and
# formats, and, in the auditors' report, the SHA-256 hashes (split where a line wraps) and the
# source of this test's own cases.
ALLOWED_LATIN = re.compile(
    r"[\w.+-]+@[\w.-]+|e-mail|edu\d+|\S+\.(?:csv|xlsx|docx|pdf)|\b(?:PDF|DOCX|XLSX|CSV)\b"
    r"|SHA-\s?256|\b[0-9a-f]+\b|источник: test"
)
DATE = re.compile(r"«(\d\d)» (\w+) (\d{4}) г\.")
MONTHS = [
    "января",
    "февраля",
    "марта",
    "апреля",
    "мая",
    "июня",
    "июля",
    "августа",
    "сентября",
    "октября",
    "ноября",
    "декабря",
]


def _day(match: re.Match[str]) -> date:
    return date(int(match[3]), MONTHS.index(match[2]) + 1, int(match[1]))


@pytest.fixture
def genre_world(world: dict[str, Any]) -> dict[str, Any]:
    """A school of an administration's municipality (постановление) and one of an education
    department's (приказ), with real names, in the campaign of 2026 whose order is recorded."""
    mun_a, mun_b = world["mun_a"], world["mun_b"]
    mun_a.authority = "Администрация Озерского муниципального округа"
    mun_a.place = "г. Озерск"
    mun_a.head_position, mun_a.head_name = "Глава администрации", "Строганова Наталья Александровна"
    mun_b.authority = "Отдел образования администрации Лазовского муниципального округа"
    mun_b.place = "с. Лазо"
    municipal_a, municipal_b = world["users"]["municipal_a"], world["users"]["municipal_b"]
    municipal_a.full_name = "Старкова Ольга Викторовна"
    municipal_a.position = (
        "Начальник отдела образования администрации Озерского муниципального округа"
    )
    municipal_b.full_name = "Гревцов Сергей Викторович"
    municipal_b.position = "Начальник отдела образования"
    school = world["schools"]["a1"]
    school.name, school.director = SCHOOL, "Степанова Светлана Владимировна"
    world["schools"]["b1"].director = "Иванова-Петрова Анна Сергеевна"
    case = open_test_case(school, year=2026)
    other = open_test_case(world["schools"]["b1"], year=2026)
    extend_plan(case.campaign, world["users"]["ministry"])
    record_order(
        case.campaign,
        ORDER,
        actor=world["users"]["ministry"],
        today=date(2026, 11, 10),
        expected_version=None,
    )
    roadmap_of(school, case.campaign, "objectivity", actor=world["users"]["school_a1"])
    attachments.upload(
        case,
        "student_marks",
        "marks.csv",
        _marks_csv(school.login),
        actor=world["users"]["school_a1"],
    )
    attachments.upload(
        case, "recheck_results", "recheck.csv", _recheck_csv(school.login), actor=municipal_a
    )
    db.session.flush()
    return {**world, "case": case, "other": other}


AUTHORS = {
    "municipal_order": "municipal_a",
    "recheck_protocol": "municipal_a",
    "director_evaluation": "municipal_a",
    "case_history": "auditor",
    "regional_order": "ministry",
    "regional_letter": "ministry",
}


def _generate_all(w: dict[str, Any]) -> dict[str, bytes]:
    case = w["case"]
    keys = (
        "municipal_order",
        "roadmap",
        "self_analysis",
        "information_certificate",
        "recheck_protocol",
        "director_evaluation",
        "case_history",
        "regional_order",
        "regional_letter",
        "roadmap_report",
    )
    out = {}
    for key in keys:
        author = w["users"][AUTHORS.get(key, "school_a1")]
        out[key] = storage.store().get(generate(case, key, actor=author).sha256)
    out["municipal_order_b"] = storage.store().get(
        generate(w["other"], "municipal_order", actor=w["users"]["municipal_b"]).sha256
    )
    return out


def _libreoffice(documents: dict[str, bytes], tmp_path: Path) -> dict[str, str]:
    """Each document converted by LibreOffice to PDF (its text read back) and its first page to
    PNG, kept in test-artifacts."""
    soffice = shutil.which("soffice")
    if soffice is None:
        if os.environ.get("CI") == "true":
            pytest.fail("LibreOffice is missing (Debian's libreoffice-writer-nogui)")
        pytest.skip("LibreOffice is not installed")
    from pypdf import PdfReader

    files = []
    for key, data in documents.items():
        (tmp_path / f"{key}.docx").write_bytes(data)
        files.append(str(tmp_path / f"{key}.docx"))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
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
        timeout=300,
    )
    shutil.rmtree(profile, ignore_errors=True)
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None and os.environ.get("CI") == "true":
        pytest.fail("pdftoppm is missing (Debian's poppler-utils)")
    texts = {}
    for key in documents:
        shutil.copy(tmp_path / f"{key}.pdf", ARTIFACTS / f"{key}.pdf")
        if pdftoppm is not None:  # the first two pages, as an official sees them
            subprocess.run(
                [
                    pdftoppm,
                    "-png",
                    "-r",
                    "70",
                    "-f",
                    "1",
                    "-l",
                    "2",
                    str(tmp_path / f"{key}.pdf"),
                    str(ARTIFACTS / key),
                ],
                check=True,
                timeout=120,
            )
        pages = PdfReader(tmp_path / f"{key}.pdf").pages
        texts[key] = "\n".join(p.extract_text() for p in pages).replace("\xa0", " ")
    return texts


def _flat(text: str) -> str:
    return " ".join(text.split())


def _common_checks(key: str, text: str) -> None:
    flat = _flat(text)
    for error in KNOWN_ERRORS:
        assert error not in flat, f"{key}: «{error}»"
    latin = re.findall(r"[A-Za-z]{2,}", ALLOWED_LATIN.sub(" ", flat))
    assert not latin, f"{key}: Latin codes {sorted(set(latin))[:10]}"
    if key == "case_history":  # a report dated to the minute it was made
        assert re.search(r"Сформировано \d\d\.\d\d\.\d{4} \d\d:\d\d", flat), key
    else:
        assert DATE.search(flat), f"{key}: no date"


def _terms_after_the_date(key: str, text: str) -> None:
    """No term the document sets falls before its own date."""
    flat = _flat(text)
    first = DATE.search(flat)
    if first is None:
        return
    own = _day(first)
    for found in re.finditer(r"(?:в срок до|не позднее) " + DATE.pattern, flat):
        term = date(int(found[3]), MONTHS.index(found[2]) + 1, int(found[1]))
        assert term >= own, f"{key}: a term {term} before the document's date {own}"


def test_every_kind_follows_its_genre(genre_world: dict[str, Any], tmp_path: Path) -> None:
    w = genre_world
    case = w["case"]
    # The municipal order is signed and registered under its number: its next text carries it.
    first = generate(case, "municipal_order", actor=w["users"]["municipal_a"])
    document = db.session.get(Document, first.document_id)
    signed_on = case_date(case, first.uploaded_at)  # the region's day it was generated on
    record_signature(
        document,
        "998",
        signed_on,
        None,
        actor=w["users"]["municipal_a"],
        today=signed_on,
        expected=state_of(first),
    )
    written = russian_document_date(signed_on)  # «01» декабря 2026 г.
    texts = _libreoffice(_generate_all(w), tmp_path)
    for key, text in texts.items():
        _common_checks(key, text)
        _terms_after_the_date(key, text)
        if key == "regional_order":  # the order itself
            assert "«03» ноября 2026 г. № 1488" in text
        elif key != "case_history":
            assert "1488" in text and "03.11.2026" in text, f"{key}: the order is not cited"

    order = _flat(texts["municipal_order"])
    assert order.startswith(
        "РОССИЙСКАЯ ФЕДЕРАЦИЯ АДМИНИСТРАЦИЯ ОЗЕРСКОГО МУНИЦИПАЛЬНОГО ОКРУГА ПОСТАНОВЛЕНИЕ"
    )
    assert f"{written} № 998 г. Озерск" in order
    assert "Об организации работы с общеобразовательными организациями Района А" in order
    assert "в соответствии с Федеральным законом от 06.10.2003 № 131-ФЗ" in order
    assert (
        "приказом Министерства образования Первой области от 03.11.2026 № 1488 «Об утверждении"
        in order
    )
    assert "администрация Озерского муниципального округа ПОСТАНОВЛЯЕТ:" in order
    assert "1. Утвердить перечень" in order and "2. Утвердить план мероприятий" in order
    assert (
        "3. Начальнику отдела образования администрации Озерского муниципального округа "
        "(Старковой О.В.):" in order
    )
    assert "Руководителям ОО:" in order
    assert "Постановление вступает в силу со дня подписания." in order
    assert "Контроль за исполнением настоящего постановления оставляю за собой." in order
    assert "Глава администрации Н.А. Строганова" in order
    assert (
        "Приложение 1 УТВЕРЖДЕН постановлением администрации Озерского муниципального округа "
        f"от {written} № 998" in order
    )

    department = _flat(texts["municipal_order_b"])
    assert "ОТДЕЛ ОБРАЗОВАНИЯ АДМИНИСТРАЦИИ ЛАЗОВСКОГО МУНИЦИПАЛЬНОГО ОКРУГА ПРИКАЗ" in department
    assert "с. Лазо" in department and "ПРИКАЗЫВАЮ:" in department
    assert "№ 273-ФЗ «Об образовании в Российской Федерации», во исполнение приказа" in department
    assert "Контроль за исполнением настоящего приказа оставляю за собой." in department
    assert "вступает в силу" not in department
    assert "Начальник отдела образования С.В. Гревцов" in department

    certificate = _flat(texts["information_certificate"])
    assert certificate.startswith(SCHOOL.upper())
    assert "Администрации Озерского муниципального округа" in certificate  # the addressee
    assert "г. Озерск" in certificate
    assert "— общеобразовательная организация, включённая в перечень" in certificate
    assert "Ключевой вывод" in certificate or "Существенных расхождений" in certificate
    assert "не сформулированы" not in certificate
    assert (
        "Директор муниципального бюджетного общеобразовательного учреждения «Средняя "
        "общеобразовательная школа № 1» С.В. Степанова" in certificate
    )

    protocol = _flat(texts["recheck_protocol"])
    assert protocol.startswith("АДМИНИСТРАЦИЯ ОЗЕРСКОГО МУНИЦИПАЛЬНОГО ОКРУГА ПРОТОКОЛ")
    assert "Перепроверено 12 работ; отметка подтверждена в" in protocol
    assert "Заключение не сформулировано" not in protocol

    for key in ("self_analysis", "roadmap"):
        assert "С.В. Степанова" in _flat(texts[key]), key
    evaluation = _flat(texts["director_evaluation"])
    assert "ОЦЕНОЧНЫЙ ЛИСТ" in evaluation and "г. Озерск" in evaluation
    report = _flat(texts["roadmap_report"])
    assert (
        "АНАЛИТИЧЕСКИЙ ОТЧЁТ о промежуточных результатах реализации мероприятий дорожной карты за"
        in report
    )
    assert "С.В. Степанова" in report
    regional = _flat(texts["regional_order"])
    assert regional.startswith(
        "МИНИСТЕРСТВО ОБРАЗОВАНИЯ ПЕРВОЙ ОБЛАСТИ ПРИКАЗ «03» ноября 2026 г. № 1488"
    )
    assert "ПРИКАЗЫВАЮ: 1. Утвердить перечень" in regional
    assert "Министр образования Первой области Н.С. Воронцова" in regional
    assert (
        "1 уровень управленческого сопровождения" in regional
        or "уровень управленческого" in regional
    )
    letter = _flat(texts["regional_letter"])
    assert "Уважаемые коллеги!" in letter and "(прилагается) утверждён перечень" in letter
    assert "Руководителям муниципальных органов управления образованием" in letter
    history = _flat(texts["case_history"])
    assert "ИСТОРИЯ ДЕЛА" in history and "Сопровождение открыто" in history
    if shutil.which("pdftoppm"):
        assert (ARTIFACTS / "municipal_order-1.png").exists()  # page images kept


def test_edited_conclusions_are_printed_and_handed_in_as_version_1(
    genre_world: dict[str, Any], tmp_path: Path
) -> None:
    """The school edits the prefilled conclusions, then hands the generated certificate in
    directly: the obligation's version 1, submitted, with the edited text in it."""
    w = genre_world
    case, school = w["case"], w["users"]["school_a1"]
    prefilled = conclusions.text_for(case, "information_certificate")
    assert "Проанализировано" in prefilled and "%" in prefilled
    edited = prefilled + " Школа проведёт педагогический совет до 20.12.2026."
    conclusions.save(case, "information_certificate", edited, actor=school, expected_version=0)
    version = hand_in_generated(case, "information_certificate", actor=school)
    assert version.number == 1 and version.template_key == "information_certificate"
    obligation = next(o for o in case.obligations if o.takes == "document:certificate")
    assert obligation.status.value == "submitted" and obligation.document_id == version.document_id
    text = _flat(
        _libreoffice({"handed_in": storage.store().get(version.sha256)}, tmp_path)["handed_in"]
    )
    assert "Школа проведёт педагогический совет до 20.12.2026." in text


def test_the_documents_commands(app: Any, genre_world: dict[str, Any], tmp_path: Path) -> None:
    """`flask documents kinds` lists the keys; `generate` writes the same document as the page
    and refuses, with exit 1 and a message, a kind the case's track does not have."""
    from app.models import Category

    runner = app.test_cli_runner()
    kinds = runner.invoke(args=["documents", "kinds"])
    assert kinds.exit_code == 0
    assert {"municipal_order", "regional_order", "information_certificate"} <= set(
        kinds.output.split()
    )
    out = tmp_path / "order.docx"
    case = genre_world["case"]
    done = runner.invoke(
        args=[
            "documents",
            "generate",
            "--case",
            str(case.id),
            "--kind",
            "municipal_order",
            "--out",
            str(out),
        ]
    )
    assert done.exit_code == 0, done.output
    assert out.read_bytes()[:2] == b"PK"
    shnor = open_test_case(genre_world["schools"]["a2"], year=2026, category=Category.LOW_RESULTS)
    refused = runner.invoke(
        args=[
            "documents",
            "generate",
            "--case",
            str(shnor.id),
            "--kind",
            "self_analysis",
            "--out",
            str(out),
        ]
    )
    assert refused.exit_code == 1 and "does not apply" in refused.output
    unknown = runner.invoke(
        args=["documents", "generate", "--case", str(case.id), "--kind", "nope", "--out", str(out)]
    )
    assert unknown.exit_code == 1 and "Unknown document kind" in unknown.output
    set_place = runner.invoke(
        args=["orgs", "requisites", str(genre_world["mun_b"].id), "--place", "р.п. Переяславка"]
    )
    assert set_place.exit_code == 0 and genre_world["mun_b"].place == "р.п. Переяславка"


def test_the_shnor_joint_plan(genre_world: dict[str, Any], tmp_path: Path) -> None:
    """Seed 003: a ШНОР school's joint plan with its leader school, approved by the leader's
    director and agreed by the school's, from the plan's measures they answer."""
    from app.models import Category
    from app.stages.shnor import assign_leader

    w = genre_world
    case = open_test_case(w["schools"]["a2"], year=2026, category=Category.LOW_RESULTS)
    leader = w["schools"]["b2"]
    leader.name = "Муниципальное автономное общеобразовательное учреждение «Лицей № 5»"
    leader.director = "Петров Пётр Петрович"
    w["schools"]["a2"].director = "Римский-Корсаков Николай Андреевич"
    assign_leader(case, leader, actor=w["users"]["municipal_a"])
    version = generate(case, "shnor_joint_plan", actor=w["users"]["municipal_a"])
    text = _libreoffice({"shnor_joint_plan": storage.store().get(version.sha256)}, tmp_path)
    flat = _flat(text["shnor_joint_plan"])
    _common_checks("shnor_joint_plan", text["shnor_joint_plan"])
    assert "СОВМЕСТНЫЙ ПЛАН РАБОТЫ" in flat and "1488" in flat
    assert (
        "УТВЕРЖДАЮ Директор муниципального автономного общеобразовательного учреждения «Лицей "
        "№ 5» П.П. Петров" in flat
    )
    assert "СОГЛАСОВАНО Директор" in flat and "Н.А. Римский-Корсаков" in flat
    assert (
        "и школы-лидера муниципального автономного общеобразовательного учреждения «Лицей № 5»"
        in flat
    )
    assert "Школа-лидер" in flat and "ОО (ШНОР)" in flat
