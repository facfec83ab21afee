"""The requisites of an organisational and administrative document (ГОСТ Р 7.0.97-2016) by its
issuer: the issuing body in full, the place of issue, the genre of its acts and their operative
word (an administration issues «ПОСТАНОВЛЕНИЕ … ПОСТАНОВЛЯЕТ:», a ministry, an education
department or a school «ПРИКАЗ … ПРИКАЗЫВАЮ:»), the law its acts rest on, and a term worded so
that it never falls before the document's own date."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _

from app import audit
from app.documents.render import ru_date
from app.extensions import db
from app.legal.numbers import InvalidField, clean
from app.models.org import Organisation, OrgKind
from app.russian import inflect

ADMINISTRATION = "администрация"
# The federal laws the seeds' acts rest on: a local administration acts under the law on local
# self-government (seed 001), an education authority or a school under the law on education.
LOCAL_GOVERNMENT_LAW = (
    "Федеральным законом от 06.10.2003 № 131-ФЗ «Об общих принципах организации местного "
    "самоуправления в Российской Федерации»"
)
EDUCATION_LAW = "Федеральным законом от 29.12.2012 № 273-ФЗ «Об образовании в Российской Федерации»"


def _place(org: Organisation) -> str | None:
    """The organisation's place of issue, else the one of the organisation above it."""
    seen = 0
    current: Organisation | None = org
    while current is not None and seen < 4:
        if current.place:
            return current.place
        current = db.session.get(Organisation, current.parent_id) if current.parent_id else None
        seen += 1
    return None


def issuing_body(org: Organisation, fallback: str | None = None) -> str:
    """The organisation's issuing body in full: its recorded authority, else the fallback (a
    region's: the issuer of the campaign's order), else its name."""
    return org.authority or fallback or org.name


def issuer(org: Organisation, fallback: str | None = None) -> dict[str, Any]:
    """The issuer block every document receives: {name, name_genitive, name_in_sentence, place,
    administration, act, act_name, act_genitive, act_dative, act_instrumental, operative, law}."""
    name = issuing_body(org, fallback)
    administration = name.lower().startswith(ADMINISTRATION)
    act = "постановление" if administration else "приказ"
    return {
        "name": name,
        "name_genitive": inflect(name, "gent", in_sentence=True),
        "name_in_sentence": inflect(name, "nomn", in_sentence=True),
        "place": _place(org),
        "administration": administration,
        "school": org.kind == OrgKind.SCHOOL,
        "act": act.upper(),
        "act_name": act,
        "act_genitive": inflect(act, "gent"),
        "act_dative": inflect(act, "datv"),
        "act_instrumental": inflect(act, "ablt"),
        "operative": "ПОСТАНОВЛЯЕТ" if administration else "ПРИКАЗЫВАЮ",
        "law": LOCAL_GOVERNMENT_LAW if administration else EDUCATION_LAW,
    }


def addressee(org: Organisation | None) -> str | None:
    """The organisation a paper is sent to, in the dative («Отделу образования …»)."""
    if org is None:
        return None
    return inflect(issuing_body(org), "datv")


def term(due: Any, issued: date | None, words: str = "в срок до") -> str:
    """« в срок до «16» января 2024 г.» for a date on or after the document's own, «незамедлительно»
    for one already past on that day (a paper never demands the past), a period in words as it is,
    nothing for none."""
    if due is None or due == "":
        return ""
    if isinstance(due, str):
        return f" {due}"
    if issued is not None and due < issued:
        return " незамедлительно"
    return f" {words} {ru_date(due)}"


FIELDS = {"authority": 500, "place": 100, "head_position": 300, "head_name": 200}


def set_requisites(org: Organisation, values: dict[str, str | None], *, actor: Any) -> bool:
    """Record the organisation's issuing body, place of issue and head (None leaves a field as
    it is, an empty text clears it); the history keeps each field before and after. False when
    nothing changed."""
    before, after = {}, {}
    for name, limit in FIELDS.items():
        if values.get(name) is None:
            continue
        text = clean(values[name])
        if text and len(text) > limit:
            raise InvalidField(name, _("At most %(n)d characters.", n=limit))
        if getattr(org, name) != text:
            before[name], after[name] = getattr(org, name), text
            setattr(org, name, text)
    if not after:
        return False
    db.session.flush()
    audit.record(
        "org.updated",
        actor=actor,
        object_type="organisation",
        object_id=org.id,
        org_id=org.id,
        before=before,
        after=after,
    )
    return True
