"""The objectivity track (признаки необъективности), version 1.

Stages and deadlines follow the 2023/2024 cycle of the seeds: self-analysis with the "seven
steps" template by 30 November, municipal acts by 25 December, the information certificate and
the director's indicator form by 16 January, the director's evaluation by 22 January, strategic
sessions from mid-February to April.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from app.models.case import CaseStatus, Level
from app.models.user import Role
from app.workflows.definitions import (
    DueRule,
    Kind,
    ObligationSpec,
    Stage,
    Transition,
    Workflow,
    ways_out,
)
from app.workflows.guards import required_obligations_done

MIN, MUN, SCH = Role.MINISTRY, Role.MUNICIPAL, Role.SCHOOL
MINISTRY = frozenset({MIN})
MINISTRY_OR_MUNICIPAL = frozenset({MIN, MUN})

STAGES = (
    Stage(
        "flagged",
        _l("Flagged"),
        (
            ObligationSpec(
                "municipal_order",
                _l("Municipal order on organising work with flagged schools"),
                Level.MUNICIPALITY,
                DueRule(working_days=10),
                reviewer=MIN,
                documents=("order",),
                municipality_wide=True,
            ),
        ),
    ),
    Stage(
        "self_analysis",
        _l("Self-analysis"),
        (
            ObligationSpec(
                "self_analysis",
                _l("Self-analysis of the causes of non-objective results («Seven steps»)"),
                Level.SCHOOL,
                DueRule("self_analysis", 15),
                reviewer=MUN,
                documents=("self_analysis",),
            ),
        ),
    ),
    Stage(
        "roadmap",
        _l("Corrective roadmap"),
        (
            ObligationSpec(
                "school_roadmap",
                _l("School roadmap for improving the objectivity of assessment"),
                Level.SCHOOL,
                DueRule(working_days=10),
                reviewer=MUN,
                documents=("roadmap",),
            ),
            ObligationSpec(
                "municipal_acts",
                _l("Municipal normative acts on preventing non-objective results"),
                Level.MUNICIPALITY,
                DueRule("municipal_acts", 20),
                reviewer=MIN,
                documents=("normative_act",),
                municipality_wide=True,
            ),
        ),
    ),
    Stage(
        "recheck",
        _l("Recheck"),
        (
            ObligationSpec(
                "recheck_protocol",
                _l("Recheck of the works by independent experts: protocol"),
                Level.MUNICIPALITY,
                DueRule("recheck", 15),
                reviewer=MIN,
                documents=("recheck_protocol",),
            ),
            ObligationSpec(
                "information_certificate",
                _l("Information certificate: current marks against external results"),
                Level.SCHOOL,
                DueRule("information_certificate", 15),
                reviewer=MUN,
                documents=("certificate",),
            ),
        ),
    ),
    Stage(
        "strategic_session",
        _l("Strategic session"),
        (
            ObligationSpec(
                "strategic_session",
                _l("The management team takes part in a strategic session"),
                Level.SCHOOL,
                DueRule("strategic_session", 30),
                reviewer=MIN,
            ),
        ),
    ),
    Stage(
        "director_evaluation",
        _l("Director effectiveness evaluation"),
        (
            ObligationSpec(
                "director_indicators",
                _l("Director effectiveness indicator form, filled in by the school"),
                Level.SCHOOL,
                DueRule("director_indicators", 5),
                reviewer=MUN,
                documents=("director_indicators",),
            ),
            ObligationSpec(
                "director_evaluation",
                _l("Evaluation of the director's effectiveness by the municipal commission"),
                Level.MUNICIPALITY,
                DueRule("director_evaluation", 10),
                reviewer=MIN,
                documents=("director_evaluation",),
            ),
        ),
    ),
    Stage(
        "monitoring",
        _l("Monitoring"),
        (
            ObligationSpec(
                "final_report",
                _l("Final report on the roadmap"),
                Level.SCHOOL,
                DueRule("final_report", 20),
                reviewer=MUN,
                documents=("report",),
            ),
        ),
    ),
    Stage("closed", _l("Closed"), terminal=True),
)

_ORDER = [s.key for s in STAGES if not s.terminal]

FORWARD = (
    Transition(
        "start_self_analysis",
        "flagged",
        "self_analysis",
        _l("Start the self-analysis"),
        MINISTRY_OR_MUNICIPAL,
        (required_obligations_done,),
    ),
    Transition(
        "to_roadmap",
        "self_analysis",
        "roadmap",
        _l("Move to the corrective roadmap"),
        MINISTRY_OR_MUNICIPAL,
        (required_obligations_done,),
    ),
    Transition(
        "to_recheck",
        "roadmap",
        "recheck",
        _l("Move to the recheck"),
        MINISTRY_OR_MUNICIPAL,
        (required_obligations_done,),
    ),
    Transition(
        "to_strategic_session",
        "recheck",
        "strategic_session",
        _l("Move to the strategic session"),
        MINISTRY,
        (required_obligations_done,),
    ),
    Transition(
        "to_director_evaluation",
        "strategic_session",
        "director_evaluation",
        _l("Move to the director evaluation"),
        MINISTRY,
        (required_obligations_done,),
    ),
    Transition(
        "to_monitoring",
        "director_evaluation",
        "monitoring",
        _l("Move to monitoring"),
        MINISTRY_OR_MUNICIPAL,
        (required_obligations_done,),
    ),
    Transition(
        "close_resolved",
        "monitoring",
        "closed",
        _l("Close as resolved"),
        MINISTRY,
        (required_obligations_done,),
        kind=Kind.CLOSE,
        resolution=CaseStatus.RESOLVED,
    ),
)

WORKFLOW = Workflow(
    "objectivity",
    1,
    _l("Signs of non-objective results"),
    STAGES,
    FORWARD + ways_out(_ORDER, MINISTRY, MINISTRY_OR_MUNICIPAL),
)
