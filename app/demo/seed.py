"""The demonstration region: municipalities, schools and a user of every role. Idempotent."""

from __future__ import annotations

import random

import sqlalchemy as sa

from app.accounts import users
from app.demo import names
from app.demo.cases import seed_cases
from app.demo.mechanisms import seed_mechanisms
from app.extensions import db
from app.models.org import Organisation, OrgKind
from app.models.user import Role, User
from app.orgs import service as orgs

DEMO_PASSWORD = "oko-demo-2026"  # noqa: S105 -- the published demo password
DEMO_DOMAIN = "oko.demo"
SEED = 2026


def _person(rng: random.Random) -> str:
    if rng.random() < 0.7:  # most school directors in Russia are women
        surname = rng.choice(names.SURNAMES_M) + "а"
        return f"{surname} {rng.choice(names.FIRST_F)} {rng.choice(names.PATRONYMIC_F)}"
    return f"{rng.choice(names.SURNAMES_M)} {rng.choice(names.FIRST_M)} {rng.choice(names.PATRONYMIC_M)}"


def _city_school(rng: random.Random, number: int) -> tuple[str, str, bool]:
    roll = rng.random()
    if roll < 0.08:
        return (
            f"Муниципальное автономное общеобразовательное учреждение «Лицей № {number}»",
            "лицей",
            True,
        )
    if roll < 0.16:
        return (
            f"Муниципальное автономное общеобразовательное учреждение «Гимназия № {number}»",
            "гимназия",
            True,
        )
    if roll < 0.22:
        return (
            "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная "
            f"школа № {number} с углублённым изучением отдельных предметов»",
            "СОШ",
            True,
        )
    return (
        f"Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная школа № {number}»",
        "СОШ",
        False,
    )


def _rural_school(rng: random.Random, village: str) -> tuple[str, str, bool]:
    adjective = names.village_adjective(village)
    roll = rng.random()
    if roll < 0.55:
        return (
            f"Муниципальное казённое общеобразовательное учреждение «{adjective} средняя общеобразовательная школа»",
            "СОШ",
            False,
        )
    if roll < 0.9:
        return (
            f"Муниципальное казённое общеобразовательное учреждение «{adjective} основная общеобразовательная школа»",
            "ООШ",
            False,
        )
    return (
        f"Муниципальное казённое общеобразовательное учреждение «{adjective} начальная общеобразовательная школа»",
        "НОШ",
        False,
    )


def _school_rows(rng: random.Random) -> list[tuple[str, str, dict[str, object]]]:
    """(municipality, login, values) for every demo school, the same on every run."""
    villages = list(names.VILLAGES)
    rng.shuffle(villages)
    rows = []
    number = 0
    for municipality, count, kind in names.MUNICIPALITIES:
        used_numbers: set[int] = set()
        for _i in range(count):
            number += 1
            login = f"edu99{number:04d}"
            if kind == "city":
                school_no = len(used_numbers) + 1 + rng.randint(0, 2)
                while school_no in used_numbers:
                    school_no += 1
                used_numbers.add(school_no)
                name, school_type, specialised = _city_school(rng, school_no)
            else:
                name, school_type, specialised = _rural_school(rng, villages.pop())
            values: dict[str, object] = {
                "name": name,
                "school_type": school_type,
                "specialised": specialised,
                "director": _person(rng),
                "email": f"{login}@schools.{DEMO_DOMAIN}",
                "phone": f"+7 (999) {rng.randint(100, 999)}-{rng.randint(10, 99)}-{rng.randint(10, 99)}",
            }
            rows.append((municipality, login, values))
    return rows


def _ensure_user(
    email: str, full_name: str, role: Role, org: Organisation, password_hash: str
) -> None:
    if users.find_user(email) is not None:
        return
    # The demo shares one password; hashing it once keeps `make run` quick.
    users.create_user(
        email=email,
        full_name=full_name,
        role=role,
        organisation=org,
        password=DEMO_PASSWORD,
        password_hash=password_hash,
        actor=None,
    )


def _position(email: str, position: str) -> None:
    """The demo person's position, as their signature block writes it."""
    user = users.find_user(email)
    if user is not None and not user.position:
        user.position = position


def _serving(parent: Organisation, kind: OrgKind, name: str) -> Organisation:
    """The demo's institute of the region or methodological centre of a municipality."""
    found = db.session.scalars(
        sa.select(Organisation).where(
            Organisation.parent_id == parent.id, Organisation.kind == kind
        )
    ).first()
    return found or orgs.create_serving(parent, kind, name, actor=None)


def seed_demo() -> list[tuple[str, str, str]]:
    """Create whatever of the demo region is missing; return (role, e-mail, organisation) rows."""
    rng = random.Random(SEED)
    region = orgs.get_or_create_region(names.REGION, actor=None)
    municipalities = orgs.municipalities_by_name(region)
    schools = orgs.schools_by_login({login for _m, login, _v in _school_rows(random.Random(SEED))})
    for municipality_name, login, values in _school_rows(rng):
        key = orgs.normalise_name(municipality_name).lower()
        if key not in municipalities:
            municipalities[key] = orgs.create_municipality(region, municipality_name, actor=None)
        if login not in schools:
            schools[login] = orgs.create_school(municipalities[key], login, values, actor=None)

    institute = _serving(region, OrgKind.INSTITUTE, names.INSTITUTE)
    first_municipality = municipalities[orgs.normalise_name(names.MUNICIPALITIES[0][0]).lower()]
    centre = _serving(first_municipality, OrgKind.METHOD_CENTRE, names.METHOD_CENTRE)
    existing = orgs.schools_by_login({login for login, _n, _s, _d in names.REGION_SCHOOLS})
    for login, name, subordination, director in names.REGION_SCHOOLS:
        if login not in existing:
            orgs.create_school(
                region,
                login,
                {"name": name, "school_type": "СОШ", "director": director},
                actor=None,
                subordination=subordination,
            )
    schools.update(orgs.schools_by_login({login for login, *_rest in names.REGION_SCHOOLS}))

    probe = User()
    probe.set_password(DEMO_PASSWORD)
    pw = probe.password_hash
    logins: list[tuple[str, str, str]] = []

    def add(email: str, name: str, role: Role, org: Organisation) -> None:
        _ensure_user(email, name, role, org, pw)
        logins.append((role.value, email, org.name))

    add(f"ministry@{DEMO_DOMAIN}", "Соколова Марина Викторовна", Role.MINISTRY, region)
    add(f"institute@{DEMO_DOMAIN}", "Белова Ирина Сергеевна", Role.INSTITUTE, institute)
    add(f"imc1@{DEMO_DOMAIN}", "Гришина Татьяна Павловна", Role.METHOD_CENTRE, centre)
    add(f"auditor@{DEMO_DOMAIN}", "Лебедев Игорь Николаевич", Role.AUDITOR, region)
    add(f"admin@{DEMO_DOMAIN}", "Администратор системы", Role.ADMIN, region)
    region.authority, region.place = names.REGION_AUTHORITY
    for index, (municipality_name, _count, _kind) in enumerate(names.MUNICIPALITIES, start=1):
        municipality = municipalities[orgs.normalise_name(municipality_name).lower()]
        authority, place, official, head = names.MUNICIPAL_AUTHORITIES[index - 1]
        municipality.authority, municipality.place = authority, place
        if head is not None:
            municipality.head_position, municipality.head_name = head
        _ensure_user(f"mun{index}@{DEMO_DOMAIN}", _person(rng), Role.MUNICIPAL, municipality, pw)
        logins.append((Role.MUNICIPAL.value, f"mun{index}@{DEMO_DOMAIN}", municipality.name))
        _position(f"mun{index}@{DEMO_DOMAIN}", official)
    for login, school in sorted(schools.items()):
        email = f"{login}@{DEMO_DOMAIN}"
        _ensure_user(email, school.director or login, Role.SCHOOL, school, pw)
        if login in ("edu990001", "edu990002", "edu990031"):
            logins.append((Role.SCHOOL.value, email, school.name))
    db.session.flush()
    ministry = db.session.scalars(
        sa.select(User).where(User.email == f"ministry@{DEMO_DOMAIN}")
    ).one()
    seed_cases(region, ministry)
    seed_mechanisms(region)
    return logins


__all__ = ["DEMO_PASSWORD", "seed_demo"]
