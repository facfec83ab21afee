"""The schema comes from the migrations only: one head, no drift, a real downgrade."""

from __future__ import annotations

import json
from pathlib import Path

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Flask
from flask_migrate import downgrade, upgrade

from app import ROOT
from app.extensions import db
from migrations.render import render_item
from tests.conftest import make_app, new_database_url


def test_one_migration_head() -> None:
    from alembic.config import Config

    config = Config(str(ROOT / "migrations" / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    heads = ScriptDirectory.from_config(config).get_heads()
    assert len(heads) == 1, f"several migration heads: {heads}"


def test_models_match_migrations(app: Flask) -> None:
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_item": render_item}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models and migrations differ: {diff}"


def test_downgrade_to_empty_and_upgrade_again(tmp_path: Path) -> None:
    url, drop = new_database_url(tmp_path)
    scratch = make_app(url, tmp_path)
    try:
        with scratch.app_context():
            upgrade()
            assert "audit_event" in sa.inspect(db.engine).get_table_names()
            downgrade(revision="base")
            leftover = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
            assert leftover == set()
            upgrade()
            assert "user_account" in sa.inspect(db.engine).get_table_names()
            db.engine.dispose()
    finally:
        drop()


V1_ROWS = """
INSERT INTO organisation (id, kind, name, specialised, created_at) VALUES
  (1, 'region', 'Область', false, '2023-09-01 00:00:00');
INSERT INTO organisation (id, kind, name, parent_id, region_id, specialised, created_at) VALUES
  (2, 'municipality', 'Район', 1, 1, false, '2023-09-01 00:00:00');
INSERT INTO organisation (id, kind, name, parent_id, region_id, municipality_id, login,
                          specialised, created_at) VALUES
  (3, 'school', 'Школа', 2, 1, 2, 'edu000003', false, '2023-09-01 00:00:00');
INSERT INTO campaign (id, region_id, vpr_year, title, objectivity_workflow, low_results_workflow,
                      created_at) VALUES
  (1, 1, 2023, 'ВПР-2023', 'objectivity@1', 'low_results@1', '2023-11-03 09:00:00');
INSERT INTO campaign_deadline (id, campaign_id, obligation_type, due_date) VALUES
  (1, 1, 'self_analysis', '2023-12-05');
INSERT INTO school_case (id, campaign_id, school_id, municipality_id, category, workflow, stage,
                         status, support_level, markers, marker_count, years_on_list,
                         contract_review, stage_entered_at, created_at, updated_at, version)
  VALUES (1, 1, 3, 2, 'objectivity', 'objectivity@1', 'self_analysis', 'open', 2, '{}', 1, 1,
          false, '2023-11-20 09:00:00', '2023-11-03 09:00:00', '2023-11-20 09:00:00', 3);
INSERT INTO case_stage (id, case_id, stage, entered_at, left_at) VALUES
  (1, 1, 'flagged', '2023-11-03 09:00:00', '2023-11-20 09:00:00'),
  (2, 1, 'self_analysis', '2023-11-20 09:00:00', NULL);
INSERT INTO obligation (id, case_id, stage_visit_id, stage, obligation_type, level,
                        responsible_org_id, reviewer_role, document_types, required, due_rule,
                        due_date, status, completed_on, created_at, updated_at, version) VALUES
  (1, 1, 1, 'flagged', 'municipal_order', 'municipality', 2, 'ministry', '["order"]', true,
   'working_days:10', '2023-11-17', 'accepted', '2023-11-15', '2023-11-03 09:00:00',
   '2023-11-16 09:00:00', 3),
  (2, 1, 2, 'self_analysis', 'self_analysis', 'school', 3, 'municipal', '[]', true,
   'schedule:self_analysis', '2023-12-05', 'open', NULL, '2023-11-20 09:00:00',
   '2023-11-20 09:00:00', 1);
"""


def test_v1_data_carries_to_plans_and_back(tmp_path: Path) -> None:
    """A v1 case in its self-analysis: upgraded, its obligations answer measures of a plan made
    from its workflow, with the schedule's dates, and the measures it had not reached yet are
    owed too; downgraded, it is a v1 case again."""
    url, drop = new_database_url(tmp_path)
    scratch = make_app(url, tmp_path)
    try:
        with scratch.app_context():
            upgrade(revision="0008")
            with db.engine.begin() as conn:
                for statement in V1_ROWS.split(";"):
                    if statement.strip():
                        conn.execute(sa.text(statement))
                if conn.dialect.name == "postgresql":  # the rows above chose their own ids
                    for table in (
                        "organisation",
                        "campaign",
                        "campaign_deadline",
                        "school_case",
                        "case_stage",
                        "obligation",
                    ):
                        conn.execute(
                            sa.text(
                                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608 -- the test's own table names
                                f"(SELECT max(id) FROM {table}))"
                            )
                        )
            upgrade()
            with db.engine.connect() as conn:
                plan = conn.execute(sa.text("SELECT id, template_key FROM campaign_plan")).one()
                assert plan.template_key == "v1"
                rows = {
                    r.obligation_type: r
                    for r in conn.execute(
                        sa.text(
                            "SELECT o.obligation_type, o.status, o.due_date, o.takes, "
                            "o.reviewer_level, m.key FROM obligation o "
                            "JOIN plan_measure m ON m.id = o.measure_id WHERE o.case_id = 1"
                        )
                    )
                }
                assert rows["municipal_order"].status == "accepted"
                assert rows["self_analysis"].takes == "form:self_analysis"
                assert rows["self_analysis"].reviewer_level == "municipality"
                assert str(rows["self_analysis"].due_date)[:10] == "2023-12-05"  # the schedule
                # Not reached in v1, owed now: the roadmap, the recheck, the evaluation …
                assert {"recheck_protocol", "director_evaluation", "final_report"} <= set(rows)
                assert "risk_questionnaire" not in rows  # another track's measure
                opened = conn.execute(sa.text("SELECT opened_on FROM school_case")).scalar()
                assert str(opened)[:10] == "2023-11-03"
            downgrade(revision="0008")
            with db.engine.connect() as conn:
                back = {
                    r.obligation_type: r
                    for r in conn.execute(
                        sa.text(
                            "SELECT obligation_type, status, reviewer_role, stage_visit_id "
                            "FROM obligation WHERE case_id = 1"
                        )
                    )
                }
                assert back["municipal_order"].status == "accepted"
                assert back["self_analysis"].reviewer_role == "municipal"
                assert all(r.stage_visit_id is not None for r in back.values())
                workflow = conn.execute(sa.text("SELECT workflow FROM school_case")).scalar()
                assert workflow == "objectivity@1"
            db.engine.dispose()
    finally:
        drop()


def test_runs_computed_before_are_split_school_by_school(tmp_path: Path) -> None:
    """A sign run stored before revision 0022 is readable school by school after it."""
    url, drop = new_database_url(tmp_path)
    scratch = make_app(url, tmp_path)
    evidence = [
        {"school_login": "edu000003", "rule": "inversion", "grade": 4, "code": "МА"},
        {"school_login": "edu000004", "rule": "boundary_peaks", "grade": 5, "code": "РУ"},
        {"school_login": "edu000003", "rule": "cohort_change", "grade": 5, "code": "МА"},
    ]
    markers = [
        {"school_login": "edu000003", "grade": 4, "code": "МА", "marker": 1},
        {"school_login": "edu000005", "grade": 4, "code": "МА", "marker": 0},
    ]
    try:
        with scratch.app_context():
            upgrade(revision="0021")
            with db.engine.begin() as conn:
                conn.execute(
                    sa.text(
                        "INSERT INTO organisation (id, kind, name, specialised, created_at, search_key, "
                        "sort_key) "
                        "VALUES (1, 'region', 'Область', false, '2023-09-01 00:00:00', 'область', "
                        "'область')"
                    )
                )
                conn.execute(
                    sa.text(
                        "INSERT INTO sign_run (id, region_id, year, rules, markers, evidence, "
                        "schools, created_at, decisions) VALUES (7, 1, 2024, '{}', :m, :e, 1, "
                        "'2024-11-01 00:00:00', '{}')"
                    ),
                    {"m": json.dumps(markers), "e": json.dumps(evidence)},
                )
            upgrade(revision="0022")
            with db.engine.connect() as conn:
                rows = {
                    r.school_login: (_json(r.evidence), _json(r.markers))
                    for r in conn.execute(
                        sa.text("SELECT school_login, evidence, markers FROM sign_run_school")
                    )
                }
            assert rows == {
                "edu000003": ([evidence[0], evidence[2]], [markers[0]]),
                "edu000004": ([evidence[1]], []),
                "edu000005": ([], [markers[1]]),
            }
            downgrade(revision="0021")
            assert "sign_run_school" not in sa.inspect(db.engine).get_table_names()
            db.engine.dispose()
    finally:
        drop()


def _json(value: object) -> object:
    return json.loads(value) if isinstance(value, str) else value
