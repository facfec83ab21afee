"""Import of the school directory (DATA_FORMATS.md §6): all rows or none."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from app.accounts.users import EMAIL_RE
from app.models.org import Organisation, Subordination
from app.models.user import User
from app.orgs import service
from app.orgs.importing import (
    municipality_named,
    read_or_report,
    schools_in_region,
    write_whole,
)
from app.tabular import Column, Problem

COLUMNS = (
    Column("Логин", "login"),
    Column("Название", "name"),
    Column("Муниципалитет", "municipality"),
    Column("Тип", "type", required=False),
    Column("Углублённое изучение", "specialised", required=False),
    Column("Директор", "director", required=False),
    Column("Email", "e-mail", required=False),
    Column("Телефон", "phone", required=False),
    Column("Подчинение", "subordination", required=False),
)
SUBORDINATION_NAMES = {
    "": Subordination.MUNICIPAL,
    "муниципальное": Subordination.MUNICIPAL,
    "municipal": Subordination.MUNICIPAL,
    "региональное": Subordination.REGIONAL,
    "regional": Subordination.REGIONAL,
    "частное": Subordination.PRIVATE,
    "private": Subordination.PRIVATE,
}

YES = {"да", "yes", "1", "true", "+"}
NO = {"нет", "no", "0", "false", "-", ""}


@dataclass
class DirectoryReport:
    """What an import did (or, on a dry run, would do)."""

    rows: int = 0
    created_municipalities: list[str] = field(default_factory=list)
    created_schools: list[str] = field(default_factory=list)
    updated_schools: list[str] = field(default_factory=list)
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass(frozen=True)
class _SchoolRow:
    number: int
    login: str
    municipality: str
    values: dict[str, object]
    subordination: Subordination


def _parse_row(number: int, row: dict[str, str], problems: list[Problem]) -> _SchoolRow | None:
    before = len(problems)
    login = row["Логин"].strip().lower()
    if not service.SCHOOL_LOGIN_RE.match(login):
        problems.append(Problem(number, "Логин", _("The login must be edu followed by 6 digits.")))
    name = service.normalise_name(row["Название"])
    if not name:
        problems.append(Problem(number, "Название", _("The name is empty.")))
    municipality = service.normalise_name(row["Муниципалитет"])
    subordination = SUBORDINATION_NAMES.get(row.get("Подчинение", "").strip().lower())
    if subordination is None:
        problems.append(
            Problem(
                number, "Подчинение", _("Expected «муниципальное», «региональное» or «частное».")
            )
        )
    elif subordination is Subordination.MUNICIPAL and not municipality:
        problems.append(Problem(number, "Муниципалитет", _("The municipality is empty.")))
    elif subordination is not Subordination.MUNICIPAL and municipality:
        problems.append(
            Problem(
                number,
                "Муниципалитет",
                _(
                    "A regional or private school answers to the region: leave the municipality empty."
                ),
            )
        )
    flag = row.get("Углублённое изучение", "").strip().lower()
    if flag not in YES | NO:
        problems.append(Problem(number, "Углублённое изучение", _("Expected «да» or «нет».")))
    email = row.get("Email", "").strip()
    if email and not EMAIL_RE.match(email):
        problems.append(Problem(number, "Email", _("Not a valid e-mail address.")))
    if len(problems) > before:
        return None
    values: dict[str, object] = {
        "name": name,
        "school_type": row.get("Тип", "").strip() or None,
        "specialised": flag in YES,
        "director": service.normalise_name(row.get("Директор", "")) or None,
        "email": email or None,
        "phone": row.get("Телефон", "").strip() or None,
    }
    assert subordination is not None
    return _SchoolRow(number, login, municipality, values, subordination)


def _parse(data: bytes, report: DirectoryReport) -> list[_SchoolRow]:
    table = read_or_report(data, COLUMNS, report.problems)
    if table is None:
        return []
    report.rows = len(table)
    parsed: list[_SchoolRow] = []
    first_seen: dict[str, int] = {}
    for number, row in table:
        school = _parse_row(number, row, report.problems)
        if school is None:
            continue
        if school.login in first_seen:
            report.problems.append(
                Problem(
                    number,
                    "Логин",
                    _("The login already appears in row %(n)d.", n=first_seen[school.login]),
                )
            )
            continue
        first_seen[school.login] = number
        parsed.append(school)
    if not report.problems and not parsed:
        report.problems.append(Problem(None, None, _("The file has no rows.")))
    return parsed


def import_directory(
    data: bytes, *, region: Organisation, actor: User | None, dry_run: bool = False
) -> DirectoryReport:
    """Create or update the schools of the file in the region; nothing is written on any problem."""
    report = DirectoryReport()
    parsed = _parse(data, report)
    existing = schools_in_region(((r.number, r.login) for r in parsed), region, report.problems)
    if not report.problems:
        write_whole(lambda: _apply(parsed, existing, region, actor, report), dry_run=dry_run)
    return report


def _apply(
    parsed: list[_SchoolRow],
    existing: dict[str, Organisation],
    region: Organisation,
    actor: User | None,
    report: DirectoryReport,
) -> None:
    municipalities = service.municipalities_by_name(region)
    for row in parsed:
        parent = (
            municipality_named(
                row.municipality,
                municipalities,
                region,
                actor=actor,
                created=report.created_municipalities,
            )
            if row.subordination is Subordination.MUNICIPAL
            else region
        )
        school = existing.get(row.login)
        if school is None:
            service.create_school(
                parent, row.login, row.values, actor=actor, subordination=row.subordination
            )
            report.created_schools.append(row.login)
        elif service.update_school(
            school, parent, row.values, actor=actor, subordination=row.subordination
        ):
            report.updated_schools.append(row.login)
        else:
            report.unchanged += 1
