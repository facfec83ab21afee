"""The one list of periodic jobs, and the digest."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from typing import Any

from flask import Flask

from app.extensions import db
from app.jobs import scheduler as jobs
from app.notices.digest import send_digests
from app.notices.mail import deliver_pending
from tests.helpers import open_test_case


def test_the_scheduler_runs_the_jobs_at_their_hours(app: Flask) -> None:
    """What the operator relies on: notices swept hourly in the working day, e-mail sent every
    minute, the digest at OKO_DIGEST_HOUR in the product's time zone, queued imports picked up,
    the document store cleaned at night."""
    saved = app.config["OKO_DIGEST_HOUR"]
    app.config["OKO_DIGEST_HOUR"] = 6
    try:
        with app.app_context():
            scheduler = jobs.build_scheduler(app)
    finally:
        app.config["OKO_DIGEST_HOUR"] = saved
    triggers = {job.id: str(job.trigger) for job in scheduler.get_jobs()}
    assert set(triggers) == {
        "sweep",
        "deliver",
        "digest",
        "abandoned_imports",
        "clean_store",
        "chain_checks",
        "chain_verify",
    }
    assert "hour='3'" in triggers["clean_store"] and "minute='30'" in triggers["clean_store"]
    assert "hour='7-20'" in triggers["sweep"] and "minute='5'" in triggers["sweep"]
    assert "hour='6'" in triggers["digest"] and "minute='0'" in triggers["digest"]
    assert triggers["deliver"] == "interval[0:01:00]"
    assert triggers["abandoned_imports"] == "interval[0:01:00]"
    assert triggers["chain_checks"] == "interval[0:01:00]"
    assert triggers["chain_verify"] == "interval[0:10:00]"
    assert str(scheduler.timezone) == "Europe/Moscow"
    assert [job.id for job in jobs.JOBS if job.at_start] == ["sweep"]  # catches up on start


def test_daily_digest_once_a_day(world: dict[str, Any], smtp_server: list[Any]) -> None:
    user = world["users"]["municipal_a"]
    user.email_mode = "digest"
    case = open_test_case(world["schools"]["a1"])
    moment = datetime.combine(case.obligations[0].due_date + timedelta(days=3), time(7), UTC)
    assert send_digests(moment) == 1
    assert send_digests(moment) == 0
    db.session.commit()
    deliver_pending()
    assert len(smtp_server) == 1
    text = smtp_server[0].get_content()
    assert case.school.name in text
