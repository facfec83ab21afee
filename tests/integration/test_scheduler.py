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


def test_the_scheduler_runs_every_job_of_the_list(app: Flask) -> None:
    with app.app_context():
        scheduler = jobs.build_scheduler(app)
    assert {j.id for j in scheduler.get_jobs()} == {j.id for j in jobs.JOBS}
    assert {"sweep", "deliver", "digest", "abandoned_imports"} <= {j.id for j in jobs.JOBS}
    sweep_trigger = str(scheduler.get_job("sweep").trigger)
    assert "hour='7-20'" in sweep_trigger


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
