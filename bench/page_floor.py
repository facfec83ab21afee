"""The tight floor of each page of the load benchmark: the few plain statements that return the
rows the page shows, sent through psycopg, rendered through a minimal template compiled once.
No ORM, no Flask, no scope objects, no translation: what a page could cost at the least.

Each floor takes (connection, targets, path) and returns the HTML; `bench/page_cost.py` runs it
beside the page in the same run. The case page's floor leaves out the history-chain check and
the region's VPR evidence (their own figures are `flask audit verify` and the analytics bench).
"""

# The SQL here is assembled from this file's constants only (values go as parameters).
# ruff: noqa: S608

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jinja2

PAGE_SIZE = 50
HISTORY_SHOWN = 30

_ENV = jinja2.Environment(autoescape=True)
_LIST = _ENV.from_string(
    "<html><h1>{{ total }}</h1><nav>{{ user[1] }} {{ user[2] }}</nav>"
    "<select>{% for c in campaigns %}<option value={{ c[0] }}>{{ c[1] }}</option>{% endfor %}"
    "</select><select>{% for m in municipalities %}<option value={{ m[0] }}>{{ m[1] }}</option>"
    "{% endfor %}</select><table>{% for r in rows %}{% set c = counts.get(r[0]) %}<tr><td>"
    "{{ r[1] }}</td><td><a href='{{ prefix }}{{ r[0] }}' title='{{ r[2] }}'>{{ r[2] }}</a>"
    "<div>{{ r[3] }}</div></td><td>{{ r[4] }}</td><td>{{ r[5] }}</td><td>{{ r[6] }}</td><td>"
    "{{ r[7] }}</td><td>{{ r[8] }}</td><td>{{ r[9] }}</td><td>{{ c[0] if c else 0 }}</td><td>"
    "{{ c[1] if c else 0 }}</td></tr>{% endfor %}</table></html>"
)
_CASE = _ENV.from_string(
    "<html><nav>{{ user[1] }} {{ user[2] }}</nav><h1>{{ case[1] }}</h1><p>{{ case[2] }} "
    "{{ case[3] }} {{ case[4] }} {{ case[5] }}</p><ol>{% for s in stages %}<li>{{ s[0] }} "
    "{{ s[1] }}</li>{% endfor %}</ol><table>{% for o in obligations %}<tr><td>{{ o[1] }}</td>"
    "<td>{{ o[2] }}</td><td>{{ o[3] }}</td><td>{{ o[4] }}</td><td>{{ o[5] }}</td></tr>"
    "{% endfor %}</table><ul>{% for d in documents %}<li>{{ d[0] }} {{ d[1] }} {{ d[2] }} "
    "{{ d[3] }}</li>{% endfor %}</ul><p>{{ total }}</p><ol>{% for e in events %}<li>{{ e[0] }} "
    "{{ e[1] }} {{ e[2] }} {{ e[3] }} {{ e[4] }} {{ e[5] }}</li>{% endfor %}</ol></html>"
)
_DASHBOARD = _ENV.from_string(
    "<html><nav>{{ user[1] }} {{ user[2] }}</nav><table>{% for r in compliance %}<tr>"
    "{% for v in r %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table><table>"
    "{% for p in pending %}<tr><td><a href='{{ prefix }}{{ p[0] }}'>{{ p[1] }}</a></td><td>"
    "{{ p[2] }}</td><td>{{ p[3] }}</td><td>{{ p[4] }}</td><td>{{ p[5] }}</td></tr>{% endfor %}"
    "</table><table>{% for s in stages %}<tr><td>{{ s[0] }} {{ s[1] }}</td><td>{{ s[2] }}</td>"
    "</tr>{% endfor %}</table><table>{% for r in repeat %}<tr><td><a href='{{ prefix }}"
    "{{ r[0] }}'>{{ r[1] }}</a></td><td>{{ r[2] }}</td><td>{{ r[3] }}</td></tr>{% endfor %}"
    "</table></html>"
)
_ROWS = _ENV.from_string(
    "<html><nav>{{ user[1] }} {{ user[2] }}</nav><h1>{{ total }}</h1>{% for part in parts %}"
    "<table>{% for r in part %}<tr><td><a href='{{ prefix }}{{ r[1] }}'>{{ r[2] }}</a></td>"
    "{% for v in r[3:] %}<td>{{ v }}</td>{% endfor %}</tr>{% endfor %}</table>{% endfor %}</html>"
)

Floor = Callable[[Any, dict[str, Any], str], str]

_USER = (
    "SELECT u.id, u.full_name, u.role, o.kind, coalesce(o.region_id, o.id), (SELECT count(*) "
    "FROM notification n WHERE n.user_id = u.id AND n.read_at IS NULL) "
    "FROM user_account u JOIN organisation o ON o.id = u.organisation_id WHERE u.email = %s"
)
_CAMPAIGNS = "SELECT id, title FROM campaign WHERE region_id = %s ORDER BY vpr_year DESC, id DESC"


def _user(conn: Any, email: str) -> tuple[Any, ...]:
    row = conn.execute(_USER, (email,)).fetchone()
    assert row is not None, email
    return tuple(row)


def _args(path: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}


def _scope(user: tuple[Any, ...], t: dict[str, Any]) -> tuple[str, int]:
    """The scope condition on a case's school (alias s) and its parameter."""
    if user[3] == "region":
        return (
            "c.campaign_id IN (SELECT id FROM campaign WHERE region_id = %(scope)s)",
            t["region"],
        )
    return "c.municipality_id = %(scope)s", t["municipality"]


def case_list(conn: Any, t: dict[str, Any], path: str, email: str) -> str:
    user = _user(conn, email)
    campaigns = conn.execute(_CAMPAIGNS, (user[4],)).fetchall()
    args = _args(path)
    scope, root = _scope(user, t)
    where = [scope]
    params: dict[str, Any] = {"scope": root, "today": date.today()}
    raw_campaign = args.get("campaign")
    if raw_campaign != "all":
        params["campaign"] = int(raw_campaign) if raw_campaign else campaigns[0][0]
        where.append("c.campaign_id = %(campaign)s")
    for key, column in (("municipality", "municipality_id"), ("stage", "stage")):
        if key in args:
            params[key] = int(args[key]) if key == "municipality" else args[key]
            where.append(f"c.{column} = %({key})s")
    if "category" in args:
        params["category"] = args["category"]
        where.append("c.category = %(category)s")
    if "years" in args:
        params["years"] = int(args["years"])
        where.append("c.years_on_list >= %(years)s")
    if args.get("overdue") == "1":
        where.append(
            "EXISTS (SELECT 1 FROM obligation x WHERE x.case_id = c.id AND x.status IN "
            "('open', 'returned') AND x.due_date < %(today)s)"
        )
    if "q" in args:
        params["q"] = f"%{args['q'].lower()}%"
        where.append("s.search_key LIKE %(q)s")
    order = {
        "updated": "c.updated_at DESC, c.id",
        "markers": "c.marker_count DESC, c.id",
    }.get(args.get("sort", ""), "s.sort_key, c.id")
    cond = " AND ".join(where)
    join = "JOIN organisation s ON s.id = c.school_id" if "q" in args else ""
    total = conn.execute(f"SELECT count(*) FROM school_case c {join} WHERE {cond}", params)
    rows = conn.execute(
        "SELECT c.id, p.title, s.name, s.login, m.name, c.category, c.marker_count, "
        "c.support_level, c.stage, c.years_on_list FROM school_case c JOIN organisation s ON "
        "s.id = c.school_id JOIN campaign p ON p.id = c.campaign_id LEFT JOIN organisation m ON "
        f"m.id = c.municipality_id WHERE {cond} ORDER BY {order} LIMIT {PAGE_SIZE}",
        params,
    ).fetchall()
    ids = [r[0] for r in rows]
    counts = {
        r[0]: r[1:]
        for r in conn.execute(
            "SELECT case_id, count(*) FILTER (WHERE status IN ('open', 'returned')), "
            "count(*) FILTER (WHERE status IN ('open', 'returned') AND due_date < %s) "
            "FROM obligation WHERE case_id = ANY(%s) GROUP BY case_id",
            (params["today"], ids),
        )
    }
    municipalities = conn.execute(
        "SELECT id, name FROM organisation WHERE kind = 'municipality' AND (id = %(r)s OR "
        "region_id = %(r)s OR municipality_id = %(r)s) ORDER BY name",
        {"r": root},
    ).fetchall()
    return _LIST.render(
        user=user,
        total=total.fetchone()[0],
        campaigns=campaigns,
        municipalities=municipalities,
        rows=rows,
        counts=counts,
        prefix="/cases/",
    )


def case_page(conn: Any, t: dict[str, Any], path: str, email: str) -> str:
    user = _user(conn, email)
    case_id = int(urlsplit(path).path.rsplit("/", 1)[1])
    case = conn.execute(
        "SELECT c.id, s.name, m.name, p.title, c.stage, c.status, c.school_id, c.campaign_id "
        "FROM school_case c JOIN organisation s ON s.id = c.school_id JOIN campaign p ON "
        "p.id = c.campaign_id LEFT JOIN organisation m ON m.id = c.municipality_id "
        "WHERE c.id = %s",
        (case_id,),
    ).fetchone()
    stages = conn.execute(
        "SELECT stage, entered_at FROM case_stage WHERE case_id = %s ORDER BY id", (case_id,)
    ).fetchall()
    obligations = conn.execute(
        "SELECT o.id, pm.title, r.name, o.status, o.due_date, o.document_id FROM obligation o "
        "LEFT JOIN plan_measure pm ON pm.id = o.measure_id JOIN organisation r ON "
        "r.id = o.responsible_org_id WHERE o.case_id = %s ORDER BY o.due_date, o.id",
        (case_id,),
    ).fetchall()
    documents = conn.execute(
        "SELECT d.id, d.kind, d.obligation_type, (SELECT max(v.number) FROM document_version v "
        "WHERE v.document_id = d.id) FROM document d WHERE d.id IN (SELECT id FROM document "
        "WHERE case_id = %s UNION SELECT document_id FROM obligation WHERE case_id = %s) "
        "ORDER BY d.id",
        (case_id, case_id),
    ).fetchall()
    events = conn.execute(
        "SELECT seq, occurred_at, actor_name, action, before, after, count(*) OVER () FROM "
        "(SELECT * FROM audit_event WHERE case_id = %s ORDER BY seq DESC LIMIT %s) e",
        (case_id, HISTORY_SHOWN),
    ).fetchall()
    total = conn.execute("SELECT count(*) FROM audit_event WHERE case_id = %s", (case_id,))
    return _CASE.render(
        user=user,
        case=case,
        stages=stages,
        obligations=obligations,
        documents=documents,
        events=events,
        total=total.fetchone()[0],
    )


def dashboard(conn: Any, t: dict[str, Any], path: str, email: str) -> str:
    user = _user(conn, email)
    campaigns = conn.execute(_CAMPAIGNS, (user[4],)).fetchall()
    scope, root = _scope(user, t)
    params = {"scope": root, "campaign": campaigns[0][0], "today": date.today()}
    cond = f"{scope} AND c.campaign_id = %(campaign)s"
    compliance = conn.execute(
        "SELECT coalesce(m.name, ''), o.obligation_type, count(*) FILTER (WHERE o.status IN "
        "('open', 'returned') AND o.due_date < %(today)s), count(*) FILTER (WHERE o.status = "
        "'accepted'), count(*) FILTER (WHERE o.status = 'waived') FROM obligation o JOIN "
        "school_case c ON c.id = o.case_id LEFT JOIN organisation m ON m.id = c.municipality_id "
        f"WHERE {cond} GROUP BY 1, 2",
        params,
    ).fetchall()
    pending = conn.execute(
        "SELECT c.id, s.name, r.name, o.level, o.obligation_type, o.due_date FROM obligation o "
        "JOIN school_case c ON c.id = o.case_id JOIN organisation s ON s.id = c.school_id "
        "JOIN organisation r ON r.id = o.responsible_org_id WHERE o.status IN ('open', "
        "'returned') AND o.required AND o.due_date <= %(today)s + 14 AND c.status = 'open' AND "
        f"{cond} ORDER BY o.due_date, c.id LIMIT 300",
        params,
    ).fetchall()
    stages = conn.execute(
        f"SELECT c.category, c.stage, count(*) FROM school_case c WHERE {cond} GROUP BY 1, 2",
        params,
    ).fetchall()
    repeat = conn.execute(
        "SELECT c.id, s.name, m.name, c.years_on_list FROM school_case c JOIN organisation s ON "
        "s.id = c.school_id LEFT JOIN organisation m ON m.id = c.municipality_id WHERE "
        f"c.years_on_list >= 2 AND {cond} ORDER BY c.years_on_list DESC, c.id LIMIT 100",
        params,
    ).fetchall()
    return _DASHBOARD.render(
        user=user,
        compliance=compliance,
        pending=pending,
        stages=stages,
        repeat=repeat,
        prefix="/cases/",
    )


def inbox(conn: Any, t: dict[str, Any], path: str, email: str) -> str:
    user = _user(conn, email)
    campaigns = conn.execute(_CAMPAIGNS, (user[4],)).fetchall()
    org = conn.execute(
        "SELECT organisation_id FROM user_account WHERE id = %s", (user[0],)
    ).fetchone()
    parts = []
    for condition in (
        "o.responsible_org_id = %(org)s AND o.status IN ('open', 'returned', 'submitted')",
        "o.reviewer_org_id = %(org)s AND o.status = 'submitted'",
    ):
        parts.append(
            conn.execute(
                "SELECT o.id, o.case_id, s.name, pm.title, o.period, p.title, o.due_date, "
                "o.status FROM obligation o JOIN school_case c ON c.id = o.case_id JOIN "
                "organisation s ON s.id = c.school_id JOIN plan_measure pm ON pm.id = "
                "o.measure_id JOIN campaign p ON p.id = c.campaign_id WHERE c.campaign_id = "
                f"%(campaign)s AND {condition} ORDER BY o.due_date IS NULL, o.due_date, o.id "
                "LIMIT 500",
                {"org": org[0], "campaign": campaigns[0][0]},
            ).fetchall()
        )
    return _ROWS.render(user=user, total=len(parts[0]), parts=parts, prefix="/cases/")


def notifications(conn: Any, t: dict[str, Any], path: str, email: str) -> str:
    user = _user(conn, email)
    total = conn.execute("SELECT count(*) FROM notification WHERE user_id = %s", (user[0],))
    rows = conn.execute(
        "SELECT n.id, n.case_id, n.kind, n.params, n.created_at, n.read_at FROM notification n "
        f"WHERE n.user_id = %s ORDER BY n.id DESC LIMIT {PAGE_SIZE}",
        (user[0],),
    ).fetchall()
    return _ROWS.render(user=user, total=total.fetchone()[0], parts=[rows], prefix="/cases/")


def ping(conn: Any, t: dict[str, Any], path: str, email: str) -> str:
    return "ok"


def floor_of(page_name: str) -> Callable[[Any, dict[str, Any], str, str], str]:
    """The floor that stands beside a page of bench/pages.py (by the start of its name)."""
    for prefix, floor in (
        ("case list", case_list),
        ("case page", case_page),
        ("dashboard", dashboard),
        ("inbox", inbox),
        ("notifications", notifications),
    ):
        if page_name.startswith(prefix):
            return floor
    return ping
