"""The ШНОР track (schools with low educational results), version 1, after seed 003:
diagnostics questionnaire, municipal and school roadmaps, an assigned leader school (mentor)
with a joint plan, a professional-competence assessment of teachers, monitoring, exit."""

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

MIN, MUN = Role.MINISTRY, Role.MUNICIPAL
MINISTRY = frozenset({MIN})
MINISTRY_OR_MUNICIPAL = frozenset({MIN, MUN})

STAGES = (
    Stage(
        "flagged",
        _l("Flagged"),
        (
            ObligationSpec(
                "municipal_order_lr",
                _l("Municipal order on supporting schools with low results"),
                Level.MUNICIPALITY,
                DueRule(working_days=10),
                reviewer=MIN,
                documents=("order",),
                municipality_wide=True,
            ),
        ),
    ),
    Stage(
        "diagnostics",
        _l("Diagnostics questionnaire"),
        (
            ObligationSpec(
                "risk_questionnaire",
                _l("Questionnaire on the risk factors of low results"),
                Level.SCHOOL,
                DueRule("risk_questionnaire", 15),
                reviewer=MUN,
                documents=("questionnaire",),
            ),
        ),
    ),
    Stage(
        "roadmap",
        _l("Roadmaps"),
        (
            ObligationSpec(
                "school_roadmap_lr",
                _l("School roadmap for improving educational results"),
                Level.SCHOOL,
                DueRule("school_roadmap_lr", 15),
                reviewer=MUN,
                documents=("roadmap",),
            ),
            ObligationSpec(
                "municipal_roadmap_lr",
                _l("Municipal roadmap for work with schools with low results"),
                Level.MUNICIPALITY,
                DueRule("municipal_roadmap_lr", 20),
                reviewer=MIN,
                documents=("roadmap",),
                municipality_wide=True,
            ),
        ),
    ),
    Stage(
        "mentoring",
        _l("Leader school mentoring"),
        (
            ObligationSpec(
                "mentor_plan",
                _l("Joint plan with the assigned leader school"),
                Level.SCHOOL,
                DueRule(working_days=15),
                reviewer=MUN,
                documents=("plan",),
            ),
        ),
    ),
    Stage(
        "competence",
        _l("Professional competence assessment"),
        (
            ObligationSpec(
                "competence_assessment",
                _l("Record of the teachers' professional competence assessment"),
                Level.MUNICIPALITY,
                DueRule("competence_assessment", 20),
                reviewer=MIN,
                documents=("assessment",),
            ),
        ),
    ),
    Stage(
        "monitoring",
        _l("Monitoring"),
        (
            ObligationSpec(
                "final_report_lr",
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
        "start_diagnostics",
        "flagged",
        "diagnostics",
        _l("Start the diagnostics"),
        MINISTRY_OR_MUNICIPAL,
        (required_obligations_done,),
    ),
    Transition(
        "to_roadmap",
        "diagnostics",
        "roadmap",
        _l("Move to the roadmaps"),
        MINISTRY_OR_MUNICIPAL,
        (required_obligations_done,),
    ),
    Transition(
        "to_mentoring",
        "roadmap",
        "mentoring",
        _l("Assign a leader school"),
        MINISTRY_OR_MUNICIPAL,
        (required_obligations_done,),
    ),
    Transition(
        "to_competence",
        "mentoring",
        "competence",
        _l("Move to the competence assessment"),
        MINISTRY_OR_MUNICIPAL,
        (required_obligations_done,),
    ),
    Transition(
        "to_monitoring",
        "competence",
        "monitoring",
        _l("Move to monitoring"),
        MINISTRY_OR_MUNICIPAL,
        (required_obligations_done,),
    ),
    Transition(
        "close_resolved",
        "monitoring",
        "closed",
        _l("Close: the school leaves the list"),
        MINISTRY,
        (required_obligations_done,),
        kind=Kind.CLOSE,
        resolution=CaseStatus.RESOLVED,
    ),
)

WORKFLOW = Workflow(
    "low_results",
    1,
    _l("Low educational results (ШНОР)"),
    STAGES,
    FORWARD + ways_out(_ORDER, MINISTRY, MINISTRY_OR_MUNICIPAL),
)
