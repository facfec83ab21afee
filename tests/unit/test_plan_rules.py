"""The plan templates from the seeds, the date rules of their measures, working days and years on
the list, without a database."""

from __future__ import annotations

from datetime import date

import pytest

from app.models.case import Category, Level, Obligation, ObligationStatus
from app.models.plan import DateKind
from app.plans import calendar, dates
from app.plans import measures as m
from app.plans.calendar import WorkingCalendar
from app.plans.templates import DEFAULT, TEMPLATES, parse_keys
from app.workflows.years import consecutive_runs

# Who answers to whom: a methodological centre to its municipal department of education, a
# regional institute to the ministry.
RANK = {
    Level.SCHOOL: 0,
    Level.LEADER_SCHOOL: 0,
    Level.METHOD_CENTRE: 1,
    Level.MUNICIPALITY: 2,
    Level.INSTITUTE: 3,
    Level.REGION: 4,
}


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    exceptions = {}
    for year in range(2023, 2028):
        exceptions.update(
            {d: w for d, (w, _n) in calendar.production_calendar_exceptions(year).items()}
        )
    return WorkingCalendar(exceptions)


def _measures(key: str, year: int = 2023) -> dict[str, m.Measure]:
    return {x.key: x for x in TEMPLATES[key].measures(year)}


@pytest.mark.parametrize("key", sorted(TEMPLATES))
def test_every_measure_of_every_template_is_well_formed(key: str) -> None:
    measures = TEMPLATES[key].measures(2025)
    assert measures
    assert len({x.key for x in measures}) == len(measures)
    known = {x.key for x in measures}
    for x in measures:
        assert x.title.strip() and x.seed.strip(), x.key  # every measure says where it comes from
        assert x.milestone in m.MILESTONES, x.key
        assert x.takes in m.TAKES_PLAIN or x.takes.startswith(m.TAKES_PREFIXES), x.key
        assert set(x.tracks) <= set(TEMPLATES[key].tracks), x.key
        if x.when.kind is DateKind.AFTER_MEASURE:
            assert x.when.after in known, x.key
        for reviewer in x.reviewers:
            # A reviewer sits above the responsible party (the ministry above its institute).
            assert reviewer is None or RANK[reviewer] > RANK[x.responsible], x.key


def test_template_keys_do_not_collide_so_templates_combine() -> None:
    keys = [x.key for t in TEMPLATES.values() for x in t.measures(2025)]
    assert len(keys) == len(set(keys))


def test_template_choice_is_parsed_and_an_unknown_one_named() -> None:
    assert parse_keys("") == DEFAULT
    assert parse_keys("lazo_objectivity+chelyabinsk_shnor") == (
        "lazo_objectivity",
        "chelyabinsk_shnor",
    )
    with pytest.raises(KeyError, match="nowhere"):
        parse_keys("lazo_objectivity,nowhere")


def test_kaliningrad_terms_are_those_of_order_1592_1_and_ozersk_998() -> None:
    k = _measures("kaliningrad_objectivity", 2023)
    assert k["k_prevention_acts"].when == dates.by(date(2023, 12, 25))  # «не позднее 25 декабря»
    assert k["k_certificate"].when == dates.before(date(2024, 1, 16))  # «в срок до 16 января»
    assert k["k_director_evaluation"].when == dates.by(date(2024, 1, 22))
    assert k["k_strategic_session"].when == dates.between(date(2024, 2, 15), date(2024, 4, 30))
    assert k["k_recheck"].when == dates.by(date(2023, 11, 30))


def test_levels_of_support_decide_which_measures_apply() -> None:
    k = _measures("kaliningrad_objectivity")

    def keys(level: int | None, years: int = 1, track: Category = Category.OBJECTIVITY) -> set[str]:
        return {
            x.key for x in k.values() if m.applies(x, track=track, level=level, years_on_list=years)
        }

    one, two, three = keys(1), keys(2), keys(3)
    assert "k_causes" not in one and "k_causes" in two and "k_causes" in three
    assert "k_recheck" in two and "k_recheck_regional" not in two
    assert "k_recheck_regional" in three and "k_recheck" not in three
    assert "k_certificate" in one & two & three
    assert "k_contract" not in three and "k_contract" in keys(3, years=3)
    assert keys(2, track=Category.LOW_RESULTS) == set()  # the objectivity plan offers ШНОР nothing
    # Reviewers follow the level: the municipality checks a level-2 certificate, the ministry a
    # level-3 one.
    assert m.reviewer_for(k["k_certificate"], 2) is Level.MUNICIPALITY
    assert m.reviewer_for(k["k_certificate"], 3) is Level.REGION


def test_a_term_on_a_day_off_moves_to_the_next_working_day(cal: WorkingCalendar) -> None:
    session = dates.between(date(2024, 2, 15), date(2024, 4, 30))
    # 29–30 April and 1 May 2024 were days off: the term is 2 May.
    assert dates.due_date(session, cal, opened=date(2023, 11, 3)) == date(2024, 5, 2)
    acts = dates.by(date(2023, 12, 31))
    assert dates.due_date(acts, cal, opened=date(2023, 11, 3)) == date(2024, 1, 9)
    opened = date(2023, 11, 3)
    assert dates.due_date(dates.after_open(10), cal, opened=opened) == date(2023, 11, 20)
    follows = dates.after("x", 3)
    assert dates.due_date(follows, cal, opened=opened) is None
    assert dates.due_date(follows, cal, opened=opened, accepted=date(2024, 1, 5)) == (
        date(2024, 1, 11)
    )


def test_monthly_reports_fall_on_the_last_working_monday(cal: WorkingCalendar) -> None:
    rule = dates.monthly(date(2024, 4, 1), date(2024, 12, 31))
    due = {period: day for period, _first, day in dates.months(rule, cal)}
    assert due["2024-04"] == date(2024, 4, 22)  # 29 April 2024 was a day off
    assert due["2024-11"] == date(2024, 11, 25)
    assert due["2024-12"] == date(2024, 12, 23)  # 30 December 2024 was a day off
    february = dates.months(dates.monthly(date(2026, 2, 1), date(2026, 2, 28)), cal)
    assert february[0][2] == date(2026, 2, 16)  # 23 February 2026 is a holiday


def test_rules_read_back_from_the_words_of_an_order() -> None:
    for rule in (
        dates.by(date(2023, 12, 25)),
        dates.before(date(2024, 1, 16)),
        dates.between(date(2024, 2, 15), date(2024, 4, 30)),
        dates.ONGOING,
    ):
        assert dates.parse(dates.describe(rule)) == rule
    assert dates.describe(dates.before(date(2024, 1, 16))) == "до 16.01.2024"
    assert dates.parse("Не позднее 25.12.2023 г.") == dates.by(date(2023, 12, 25))
    assert dates.parse("ноябрь") is None
    assert dates.parse("до 31.02.2024") is None


def test_terms_in_working_days_are_russian_with_plural_forms() -> None:
    assert dates.describe(dates.after_open(1)) == (
        "в течение 1 рабочего дня после включения в перечень"
    )
    assert dates.describe(dates.after("k_x", 15), {"k_x": "3.2"}) == (
        "в течение 15 рабочих дней после принятия мероприятия 3.2"
    )
    assert "21 рабочего дня" in dates.describe(dates.after_open(21))


def test_before_a_date_means_the_date_itself_is_late() -> None:
    def done(on: date, inclusive: bool) -> Obligation:
        return Obligation(
            status=ObligationStatus.ACCEPTED,
            due_date=date(2024, 1, 16),
            due_inclusive=inclusive,
            completed_on=on,
        )

    assert done(date(2024, 1, 16), inclusive=True).done_on_time()
    assert not done(date(2024, 1, 16), inclusive=False).done_on_time()
    assert done(date(2024, 1, 15), inclusive=False).done_on_time()
    owed = Obligation(status=ObligationStatus.OPEN, due_date=date(2024, 1, 16), due_inclusive=False)
    assert owed.is_overdue(date(2024, 1, 16)) and not owed.is_overdue(date(2024, 1, 15))


def test_production_calendar_knows_transfers_and_working_saturdays(cal: WorkingCalendar) -> None:
    assert not cal.is_working(date(2024, 12, 30))  # transferred day off (Monday)
    assert cal.is_working(date(2024, 12, 28))  # working Saturday
    assert cal.is_working(date(2024, 11, 2))  # working Saturday
    assert not cal.is_working(date(2024, 11, 4))  # Unity Day
    assert not cal.is_working(date(2024, 1, 8))


def test_counting_working_days_skips_the_new_year_holidays(cal: WorkingCalendar) -> None:
    assert cal.add_working_days(date(2023, 12, 29), 1) == date(2024, 1, 9)
    assert cal.add_working_days(date(2024, 5, 8), 1) == date(2024, 5, 13)
    assert cal.working_days_between(date(2023, 12, 29), date(2024, 1, 9)) == 1


def test_consecutive_years() -> None:
    assert consecutive_runs([2023, 2024, 2025]) == {2023: 1, 2024: 2, 2025: 3}
    assert consecutive_runs([2021, 2023, 2024]) == {2021: 1, 2023: 1, 2024: 2}
