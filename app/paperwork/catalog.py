"""The kinds of generated documents: titles, template files and the context each one receives.

The context contract is the set of top-level names a template of that kind may use; an uploaded
template asking for anything else is refused (``render.unknown_variables``). The shape of every
name is shown by the reference contexts in ``app.paperwork.samples``. Every kind receives the
common blocks:

* ``region`` {name, authority|None} — authority: the regional education ministry's name;
* ``municipality`` {name, authority|None} — authority: the municipal education authority's name;
* ``school`` {name, login, type, director, email, phone} (all but name and login may be None);
* ``campaign`` {title, vpr_year, school_year, order_number, order_date, deadlines} — deadlines
  maps obligation types (``self_analysis``, ``recheck``, ``municipal_acts``,
  ``information_certificate``, ``director_indicators``, ``director_evaluation``,
  ``strategic_session`` …) to dates;
* ``order`` None | {number, date, day, title, issuer, issuer_genitive, reference, signatory} —
  the campaign's approving order, None when neither its number nor its date is recorded (a
  template then leaves the citation out, never printing blanks): ``date`` as «03.11.2023»,
  ``day`` the same as a date, ``title`` without quotes («Об утверждении перечня …»), ``issuer``
  in the nominative and ``issuer_genitive`` for «приказ Министерства образования …» (None when
  not recorded), ``reference`` «от 03.11.2023 № 1592/1» (the half that is known), ``signatory``
  {name, position} | None; the campaign's ``order_number`` and ``order_date`` stay for older
  templates;
* ``case`` {category, markers: [str], marker_count, support_level|None, years_on_list,
  contract_review: bool, stage, status} — category, stage and status as Russian labels;
* ``document`` {number|None, date|None, place|None} — the generated document's own registration
  (the number and date once its signed act is registered) and its place of issue;
* ``issuer`` {name, name_genitive, name_in_sentence, place, administration, school, act,
  act_name, act_genitive, act_dative, act_instrumental, operative, law} — the issuing body in
  full and the genre of its acts (ПОСТАНОВЛЕНИЕ / ПОСТАНОВЛЯЕТ for an administration, ПРИКАЗ /
  ПРИКАЗЫВАЮ otherwise) with the federal law they rest on;
* ``municipality`` also carries ``authority_dative`` (an addressee) and ``name_genitive``.

Dates are ``date`` objects (or None), moments are aware UTC ``datetime``s, shares are 0…1 floats,
missing numbers are None; lists may be empty.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from app.documents.templates import bundled_path

COMMON_VARIABLES = frozenset(
    {"region", "municipality", "school", "campaign", "order", "case", "document", "issuer"}
)


@dataclass(frozen=True)
class DocumentKind:
    """One kind of generated document and its context contract."""

    key: str
    title: LazyString
    filename: str
    # Names beyond COMMON_VARIABLES, with their shapes (see samples.py for full examples).
    extra: tuple[str, ...]
    # The tracks it is written for (empty: none — a part of other documents), and what the
    # case's plan must ask for (a measure's «takes») for the document to belong to the case.
    tracks: tuple[str, ...] = ("objectivity", "low_results", "adverse")
    needs: str | None = None

    @property
    def variables(self) -> frozenset[str]:
        """Every top-level name the context of this kind provides."""
        return COMMON_VARIABLES | frozenset(self.extra)

    @property
    def path(self) -> Path:
        """The bundled template file (version 1; later versions live in the database)."""
        return bundled_path(self.key)

    def bundled_template(self) -> bytes:
        """The bytes of the bundled template."""
        return self.path.read_bytes()


KINDS: tuple[DocumentKind, ...] = (
    DocumentKind(
        "municipal_order",
        _l("Municipal order on organising work with flagged schools"),
        "municipal_order.docx",
        # schools: [{name, director, markers: [str], support_level, years_on_list,
        #            contract_review}];
        # measures: [{title, responsible, due_date: date | str | None, result}];
        # points: [{number, text, tasks: [str]}] — the numbered points, worded;
        # signatory: {position, name «И.О. Фамилия»}
        ("schools", "measures", "points", "signatory"),
        tracks=("objectivity",),
    ),
    DocumentKind(
        "regional_order",
        _l("Regional order approving the list by levels of support"),
        "regional_order.docx",
        # levels: [{level: int | None, title, schools: [{name, municipality, years_on_list}]}];
        # points: [{number, text, tasks: [str]}]; signatory: {position, name}
        ("levels", "points", "signatory"),
        tracks=("objectivity",),
    ),
    DocumentKind(
        "regional_letter",
        _l("Ministry's covering letter to municipalities and schools"),
        "regional_letter.docx",
        # addressees: [str]; levels, points and signatory as the regional order's
        ("addressees", "levels", "points", "signatory"),
        tracks=("objectivity",),
    ),
    DocumentKind(
        "roadmap",
        _l("School roadmap"),
        "roadmap.docx",
        # title: str (the roadmap's, by track); approved_by: str | None («приказом директора…»);
        # items: [{section: str | None, number, measure, deadline: date | str | None,
        #          responsible, indicator, status: str | None, progress: str | None}];
        # signatory: {position, name}
        ("title", "approved_by", "items", "signatory"),
        needs="roadmap:school",
    ),
    DocumentKind(
        "roadmap_report",
        _l("Monthly report on the roadmap"),
        "roadmap_report.docx",
        # period: str («ноябрь 2026 г.»); summary: str; text: str | None (the month's report);
        # items: as the roadmap's; signatory: {position, name}
        ("period", "summary", "text", "items", "signatory"),
        needs="roadmap:school",
    ),
    DocumentKind(
        "shnor_joint_plan",
        _l("Joint plan of the school and its leader school (ШНОР)"),
        "shnor_joint_plan.docx",
        # leader: None | {name, director}; items: [{number, measure, deadline: date | str | None,
        #   responsible, result}]; signatory and leader_signatory: {position, name}
        ("leader", "items", "signatory", "leader_signatory"),
        tracks=("low_results",),
    ),
    DocumentKind(
        "self_analysis",
        _l("School self-analysis («Seven steps»)"),
        "self_analysis.docx",
        # signs: [{work, number, title, found: bool, evidence}];
        # shares: [{work, n, lowered, confirmed, raised}];
        # sections: [{title, answer: str | None}]; signatory: {position, name}
        ("signs", "shares", "sections", "signatory"),
        tracks=("objectivity",),
        needs="form:self_analysis",
    ),
    DocumentKind(
        "information_certificate",
        _l("Information certificate with the correlation analysis"),
        "information_certificate.docx",
        # analytics: None | {source, computed_at, min_n,
        #   correlations: [{subject, class_name, measure, compared_with, n, spearman,
        #                   spearman_low, spearman_high, spearman_p, kendall, kendall_p, kappa,
        #                   lowered, confirmed, raised, verdict}],
        #   signs: [{work, number, title, found, evidence}],
        #   contingency: [{title, row_label, column_label, rows: [{mark, counts: [4 ints]}]}],
        #   charts: [{title, image: <key of images>}]};
        # conclusions: str | None; signatory: {position, name}
        ("analytics", "conclusions", "signatory"),
        tracks=("objectivity",),
        needs="document:certificate",
    ),
    DocumentKind(
        "recheck_protocol",
        _l("Recheck protocol"),
        "recheck_protocol.docx",
        # commission: [{role, name, position}];
        # works: [{work, participant, score_school, score_recheck, score_change,
        #          mark_school, mark_recheck, confirmed: bool}];
        # by_work: [{work, n, confirmed, share_confirmed, mean_shift, wilcoxon_p,
        #            meets_target: bool}];
        # summary: None | {n, confirmed, lowered, raised, share_confirmed, share_low,
        #                  share_high, target, meets_target, mean_shift, wilcoxon_p, wording};
        # charts: [{title, image}]; conclusion: str | None
        ("commission", "works", "by_work", "summary", "charts", "conclusion"),
        tracks=("objectivity",),
        needs="record:recheck_protocol",
    ),
    DocumentKind(
        "director_evaluation",
        _l("Director evaluation sheet"),
        "director_evaluation.docx",
        # indicators: [{number, title, weight, value, score}];
        # evaluation: {method, total, max_total, result, decision, recommendation} with None
        #   for what is not decided yet; commission: [{role, name, position}]
        ("indicators", "evaluation", "commission"),
        needs="record:director_evaluation",
    ),
    DocumentKind(
        "case_history",
        _l("Case history report for auditors"),
        "case_history.docx",
        # stages: [{stage, entered_at, left_at, entered_by, reason}];
        # obligations: [{title, responsible, due_date, status, completed_on, comment}];
        # events: [{seq, occurred_at, actor, role, action, before, after, reason, hash,
        #           prev_hash}];
        # verification: {ok: bool, checked: int, checked_at, message};
        # generated_at: datetime; generated_by: {name, role}
        ("stages", "obligations", "events", "verification", "generated_at", "generated_by"),
    ),
    DocumentKind(
        "stage_form",
        _l("Record of a stage"),
        "stage_form.docx",
        # title: str; subtitle: str | None; sections: [{title, answer: str | None}];
        # signatory: {position, name}
        ("title", "subtitle", "sections", "signatory"),
        tracks=(),
    ),
)

_BY_KEY = {k.key: k for k in KINDS}


def kind(key: str) -> DocumentKind:
    """The document kind with this key; KeyError naming it otherwise."""
    try:
        return _BY_KEY[key]
    except KeyError:
        raise KeyError(f"unknown document kind: {key}") from None


def has_kind(key: str) -> bool:
    """Whether the product generates documents of this kind."""
    return key in _BY_KEY


def belongs_to(kind_: DocumentKind, track: str, takes: set[str]) -> bool:
    """Whether a case on the track whose obligations take ``takes`` has this document."""
    return track in kind_.tracks and (kind_.needs is None or kind_.needs in takes)
