"""The conclusions of a case's papers: Russian prose prefilled from the computed figures (the
correlation analysis of the information certificate, the statistics of the recheck protocol),
edited by the responsible person before generation and kept, with its history, as part of the
case's record."""

from __future__ import annotations

import logging
from typing import Any

import sqlalchemy as sa
from flask_babel import gettext as _

from app import access, audit
from app.analytics import correlation
from app.documents.render import num, pct, pvalue
from app.errors import Conflict, InvalidInput, NotAllowed
from app.extensions import db
from app.models.case import Case
from app.models.document import DocumentConclusion
from app.models.types import utcnow
from app.models.user import User
from app.russian import counted
from app.stages import attachments, recheck

log = logging.getLogger(__name__)

SAVED = "document.conclusion_saved"
KINDS = ("information_certificate", "recheck_protocol")
LIMIT = 8000
# The least share of raised or lowered marks that the certificate names as its key finding.
NOTABLE = 0.2


def _row_phrase(row: dict[str, Any]) -> str:
    return f"{row['subject']}, {row['class']}: «{row['measure_label']}» и «{row['compared_label']}»"


def certificate_text(case: Case) -> str:
    """The certificate's conclusions from the school's uploaded marks."""
    found = attachments.correlations(case)
    if found is None:
        return (
            "Аналитические данные (отметки обучающихся) не загружены: анализ корреляции не "
            "проведён, выводы будут сформулированы после загрузки данных."
        )
    # The analysis's own findings (poor agreement, classes too small), beside the key finding.
    findings = correlation.conclusions(found["rows"])
    notes = [] if findings == correlation.conclusions([]) else [findings]
    usable = [r for r in found["rows"] if r["status"] == "ok" and r.get("raised") is not None]
    if not usable:
        return " ".join(
            [
                f"Проанализировано сопоставлений: {len(found['rows'])}; ни в одном нет "
                "достаточного числа полных пар отметок для расчёта корреляции.",
                *notes,
            ]
        )
    subjects = {r["subject"] for r in usable}
    parts = [
        f"Проанализировано {counted(len(usable), 'сопоставление')} отметок по "
        f"{counted(len(subjects), 'предмет', 'datv')}."
    ]
    worst = max(usable, key=lambda r: max(r["raised"], r["lowered"]))
    share, verb = (
        (worst["raised"], "повысили")
        if worst["raised"] >= worst["lowered"]
        else (worst["lowered"], "понизили")
    )
    rho = worst.get("spearman")
    rho_text = f"ρ = {num(rho)}" if rho is not None else "ρ не рассчитан"
    if share >= NOTABLE:
        parts.append(
            f"Ключевой вывод: {_row_phrase(worst)} — {pct(share)} обучающихся {verb} отметку "
            f"({rho_text}); высокая корреляция означает лишь согласованный порядок обучающихся, "
            "но не совпадение отметок, поэтому расхождение требует анализа причин."
        )
    else:
        parts.append(
            f"Существенных расхождений отметок не выявлено: наибольшая доля изменённых "
            f"отметок — {pct(share)} ({_row_phrase(worst)}; {rho_text})."
        )
    confirmed = min(usable, key=lambda r: r["confirmed"])
    parts.append(
        f"Наименьшая доля подтверждённых отметок — {pct(confirmed['confirmed'])} "
        f"({_row_phrase(confirmed)})."
    )
    return " ".join([*parts, *notes])


def recheck_text(case: Case) -> str:
    """The recheck commission's conclusion from the recheck statistics."""
    found = recheck.statistics(case)
    if found is None:
        return (
            "Результаты перепроверки не загружены: заключение будет сформулировано после их ввода."
        )
    s = found["summary"]
    low, high = s["share_confirmed_ci"]
    verdict = (
        "достигает целевого значения"
        if s["meets_target"]
        else f"ниже целевого значения {pct(s['target'])}"
    )
    text = (
        f"Перепроверено {counted(s['n'], 'работа')}; отметка подтверждена в {s['confirmed']} "
        f"({pct(s['share_confirmed'])}, 95 % ДИ {pct(low)} – {pct(high)}), что {verdict}; "
        f"понижена — в {s['lowered']}, повышена — в {s['raised']}. Среднее изменение "
        f"первичного балла {num(s['mean_shift'])}"
    )
    if s.get("wilcoxon_p") is not None:
        p = pvalue(s["wilcoxon_p"])
        text += (
            f" (критерий Уилкоксона, p {p})"
            if p.startswith("<")
            else f" (критерий Уилкоксона, p = {p})"
        )
    text += ". "
    if s["meets_target"]:
        text += "Комиссия признаёт результаты оценивания работ общеобразовательной организацией объективными."
    else:
        text += (
            "Комиссия признаёт результаты оценивания работ общеобразовательной организацией "
            "необъективными и рекомендует провести анализ причин расхождений и обучение "
            "учителей критериям оценивания."
        )
    return text


SUGGESTERS = {"information_certificate": certificate_text, "recheck_protocol": recheck_text}


def conclusion_of(case: Case, key: str) -> DocumentConclusion | None:
    """The conclusions the responsible person saved for the case's paper."""
    return db.session.scalars(
        sa.select(DocumentConclusion).where(
            DocumentConclusion.case_id == case.id, DocumentConclusion.kind == key
        )
    ).first()


def suggested(case: Case, key: str) -> str:
    """The prose prefilled from the computed figures."""
    return SUGGESTERS[key](case)


def text_for(case: Case, key: str) -> str:
    """What the paper's conclusions say: the saved text, else the prefilled one."""
    saved = conclusion_of(case, key)
    return saved.text if saved is not None else suggested(case, key)


def save(
    case: Case, key: str, text: str, *, actor: User, expected_version: int | None
) -> DocumentConclusion:
    """Keep the edited conclusions of the case's paper; the history records the text before
    and after."""
    if key not in KINDS:
        raise InvalidInput(_("This document has no conclusions to write."))
    if not access.can_write_conclusions(actor, case, key):
        raise NotAllowed(_("Your role does not write the conclusions of this document."))
    text = text.replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput(_("Write the conclusions: they cannot be empty."))
    if len(text) > LIMIT:
        raise InvalidInput(_("At most %(n)d characters.", n=LIMIT))
    row = conclusion_of(case, key)
    current = row.version if row is not None else 0
    if expected_version is not None and expected_version != current:
        who = row.updated_by.full_name if row is not None else "—"
        raise Conflict(
            _(
                "%(who)s changed the conclusions after you opened the page. Reload the page and "
                "try again.",
                who=who,
            )
        )
    before = row.text if row is not None else None
    if row is None:
        row = DocumentConclusion(case_id=case.id, kind=key, text=text, updated_by_id=actor.id)
        db.session.add(row)
    elif row.text == text:
        return row
    else:
        row.text, row.version = text, row.version + 1
        row.updated_at, row.updated_by_id = utcnow(), actor.id
    db.session.flush()
    audit.record(
        SAVED,
        actor=actor,
        object_type="case",
        object_id=case.id,
        case_id=case.id,
        org_id=case.school_id,
        before={"kind": key, "text": before} if before is not None else None,
        after={"kind": key, "text": text},
    )
    log.info("case %s: conclusions of %s saved by user %s", case.id, key, actor.id)
    return row
