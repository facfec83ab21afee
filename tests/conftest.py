"""Test fixtures: one application per session on a freshly migrated database; every test runs
inside an outer transaction that is rolled back.

The database is SQLite unless OKO_TEST_DB=postgresql, which uses a new database created on the
server named by TEST_DATABASE_URL. Under CI=true an unreachable PostgreSQL fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer

from app import create_app, readcache
from app.accounts import tokens
from app.extensions import Session, db
from app.models import Notification, Role, SignRun, SignRunSchool, StrategicSession, VprImport
from app.models.types import utcnow
from app.notices import ics
from tests.helpers import Factory, load_small_vpr

BACKEND = os.environ.get("OKO_TEST_DB", "sqlite")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The API fuzzer runs last: it changes the demo region the other live tests share."""
    items.sort(key=lambda item: "api_server" in getattr(item, "fixturenames", ()))


def _pg_admin_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL", "")
    if not url:
        pytest.exit("OKO_TEST_DB=postgresql needs TEST_DATABASE_URL", returncode=2)
    return sa.engine.make_url(url).set(drivername="postgresql+psycopg").render_as_string(False)


def _create_pg_database() -> tuple[str, sa.Engine]:
    admin = sa.create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    name = f"oko_test_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    except sa.exc.OperationalError as exc:
        admin.dispose()
        if os.environ.get("CI") == "true":
            pytest.exit(f"PostgreSQL is unreachable under CI: {exc}", returncode=3)
        pytest.skip(f"PostgreSQL unreachable: {exc}")
    url = sa.engine.make_url(_pg_admin_url()).set(database=name).render_as_string(False)
    return url, admin


def new_database_url(tmp_dir: Path) -> tuple[str, Any]:
    """A fresh empty database of the backend under test and a function that drops it."""
    if BACKEND == "postgresql":
        url, admin = _create_pg_database()
        name = sa.engine.make_url(url).database

        def drop() -> None:
            with admin.connect() as conn:
                conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()

        return url, drop
    path = tmp_dir / f"oko-{uuid.uuid4().hex[:8]}.sqlite3"
    return f"sqlite:///{path}", lambda: path.unlink(missing_ok=True)


def upgrade_schema(app: Flask) -> None:
    """Build the schema the way production does: by running every migration."""
    from flask_migrate import upgrade

    with app.app_context():
        upgrade()


def make_app(url: str, tmp_dir: Path, **extra: Any) -> Flask:
    """An application configured for tests on the given database."""
    config = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "SECRET_KEY": "test-secret-key-" + "x" * 32,
        "OKO_STORAGE_DIR": str(tmp_dir / "storage"),
        "OKO_PAGE_DIR": str(tmp_dir / "pages"),
        "SERVER_NAME": None,
        # off: a test writes in an outer transaction never committed, which a cached read (its
        # own connection) would not see; the committed demo site and the servers switch it on
        "OKO_READ_CACHE": False,
    }
    config.update(extra)
    return create_app(config)


@contextmanager
def cached_site(tmp_dir: Path, **extra: Any) -> Iterator[Flask]:
    """An application with the read cache on (app.readcache), over a database of its own whose
    writes are committed, the cache emptied first; dropped afterwards."""
    url, drop = new_database_url(tmp_dir)
    application = make_app(url, tmp_dir, OKO_READ_CACHE=True, **extra)
    upgrade_schema(application)
    readcache.clear()
    try:
        yield application
    finally:
        with application.app_context():
            db.engine.dispose()
        drop()


@pytest.fixture(scope="session")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The session-wide application on a migrated database."""
    tmp_dir = tmp_path_factory.mktemp("app")
    url, drop = new_database_url(tmp_dir)
    application = make_app(url, tmp_dir)
    upgrade_schema(application)
    yield application
    with application.app_context():
        db.engine.dispose()
    drop()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Any]:
    """Everything a test does happens in one outer transaction, rolled back afterwards."""
    with app.app_context():
        connection = db.engine.connect()
        outer = connection.begin()
        original = db.session
        db.session = db._make_scoped_session(
            {"class_": Session, "bind": connection, "join_transaction_mode": "create_savepoint"}
        )
        try:
            yield db.session
        finally:
            db.session.remove()
            db.session = original
            outer.rollback()
            connection.close()


class CsrfClient(FlaskClient):
    """A test client that adds a valid CSRF token to form posts unless told not to.

    Each request runs in an app context of its own, as in production: its own ``g`` (so
    Flask-Login loads the user afresh) and its own database session.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        method = kwargs.get("method", "GET").upper()
        data = kwargs.get("data")
        if method == "POST" and kwargs.pop("csrf", True) and isinstance(data, dict):
            data.setdefault("csrf_token", self.csrf_token())
        with self.application.app_context():
            return super().open(*args, **kwargs)

    def csrf_token(self) -> str:
        with self.session_transaction() as sess:
            raw = sess.setdefault("csrf_token", uuid.uuid4().hex)
        signer = URLSafeTimedSerializer(self.application.secret_key, salt="wtf-csrf-token")
        return str(signer.dumps(raw))


@pytest.fixture
def client(app: Flask, db_session: Any) -> FlaskClient:
    """A test client sharing the test's transaction."""
    app.test_client_class = CsrfClient
    return app.test_client()


@pytest.fixture
def make(db_session: Any) -> Factory:
    """Factory for organisations and users."""
    return Factory()


@pytest.fixture
def world(make: Factory) -> dict[str, Any]:
    """Two regions; the first has two municipalities with two schools each; a user per role."""
    region = make.region("Первая область")
    other_region = make.region("Вторая область")
    mun_a = make.municipality(region, "Район А")
    mun_b = make.municipality(region, "Район Б")
    mun_x = make.municipality(other_region, "Район Икс")
    schools = {
        "a1": make.school(mun_a),
        "a2": make.school(mun_a),
        "b1": make.school(mun_b),
        "b2": make.school(mun_b),
        "x1": make.school(mun_x),
    }
    users = {
        "ministry": make.user(Role.MINISTRY, region),
        "auditor": make.user(Role.AUDITOR, region),
        "admin": make.user(Role.ADMIN, region),
        "municipal_a": make.user(Role.MUNICIPAL, mun_a),
        "municipal_b": make.user(Role.MUNICIPAL, mun_b),
        "school_a1": make.user(Role.SCHOOL, schools["a1"]),
        "school_b1": make.user(Role.SCHOOL, schools["b1"]),
        "ministry_x": make.user(Role.MINISTRY, other_region),
    }
    return {
        "region": region,
        "other_region": other_region,
        "mun_a": mun_a,
        "mun_b": mun_b,
        "mun_x": mun_x,
        "schools": schools,
        "users": users,
    }


class DemoSite:
    """An application on its own committed database with the demo region loaded: seeded once a
    session and shared by the tests that read the demo and by the live server."""

    def __init__(self, tmp_dir: Path) -> None:
        from app.demo.seed import seed_demo

        url, self._drop = new_database_url(tmp_dir)
        self.app = make_app(
            url, tmp_dir, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10}, OKO_READ_CACHE=True
        )
        upgrade_schema(self.app)
        with self.app.app_context():
            self.logins = seed_demo()
            db.session.commit()

    def client(self) -> FlaskClient:
        """A test client of the demo application (with CSRF tokens on its posts)."""
        self.app.test_client_class = CsrfClient
        return self.app.test_client()

    def close(self) -> None:
        with self.app.app_context():
            db.engine.dispose()
        self._drop()


@pytest.fixture(scope="session")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoSite]:
    """The demo region, seeded once for the whole session."""
    site = DemoSite(tmp_path_factory.mktemp("demo"))
    yield site
    site.close()


class LiveServer:
    """The demo application served over HTTP on loopback."""

    def __init__(self, site: DemoSite) -> None:
        import threading

        from werkzeug.serving import make_server

        self.app = site.app
        self._server = make_server("127.0.0.1", 0, self.app, threaded=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        self.url = f"http://127.0.0.1:{self._server.server_port}"

    def stop(self) -> None:
        self._server.shutdown()
        self._thread.join(timeout=5)


@pytest.fixture(scope="session")
def live(demo: DemoSite) -> Iterator[LiveServer]:
    """A live server on the demo region, shared by the browser tests."""
    server = LiveServer(demo)
    yield server
    server.stop()


@pytest.fixture(scope="session")
def live_server(live: LiveServer) -> str:
    """The base URL of the shared live server."""
    return live.url


CHROMIUM = os.environ.get("OKO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium is missing at {CHROMIUM} (install Debian's chromium)")
        pytest.skip("Chromium is not installed")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    """A fresh browser context and page; screenshots go to test-artifacts/<test name>/."""
    context = browser.new_context(locale="ru-RU", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    folder = ARTIFACTS / BACKEND / request.node.name
    folder.mkdir(parents=True, exist_ok=True)
    tab.shot = lambda name: tab.screenshot(path=str(folder / f"{name}.png"), full_page=True)
    yield tab
    context.close()


@pytest.fixture
def case_world(world: dict[str, Any]) -> dict[str, Any]:
    """The world plus a 2023 case for schools a1, b1 (first region) and x1 (second region);
    municipality B has handed in its order for b1 (``world["document"]``)."""
    from tests.helpers import hand_in, open_test_case

    world["cases"] = {key: open_test_case(world["schools"][key]) for key in ("a1", "b1", "x1")}
    order_b1 = world["cases"]["b1"].obligations[0]
    hand_in(order_b1, world["users"]["municipal_b"])  # the municipality's act for b1
    world["document"] = order_b1.document
    from app.stages.roadmaps import roadmap_of

    case_a1 = world["cases"]["a1"]
    world["roadmap"] = roadmap_of(
        case_a1.school, case_a1.campaign, "objectivity", actor=world["users"]["school_a1"]
    )
    return world


@pytest.fixture
def smtp_server(app: Flask) -> Iterator[list[Any]]:
    """A real SMTP server on loopback (aiosmtpd); yields the list of messages it received."""
    import socket
    from email import message_from_bytes, policy

    from aiosmtpd.controller import Controller

    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(message_from_bytes(envelope.content, policy=policy.default))
            return "250 OK"

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    saved = {k: app.config[k] for k in ("OKO_SMTP_HOST", "OKO_SMTP_PORT")}
    app.config.update(OKO_SMTP_HOST="127.0.0.1", OKO_SMTP_PORT=port)
    try:
        yield received
    finally:
        app.config.update(saved)
        controller.stop()


ROLES = ("ministry", "auditor", "admin", "municipal_a", "school_a1")


@pytest.fixture
def matrix_world(
    case_world: dict[str, Any], app: Flask, monkeypatch: pytest.MonkeyPatch
) -> dict[str, Any]:
    """The case world with one real object behind every id the matrix calls: a token, notices,
    a calendar feed, VPR results, an import job, a sign run proposing school a2, a session."""
    from app.vpr import importer

    # A queued import runs in a thread of its own connection, which cannot see this test's
    # transaction; the matrix checks the queueing (the job itself is tested in test_vpr.py).
    monkeypatch.setattr(importer, "start_job", lambda job_id: None)
    w = case_world
    users = w["users"]
    w["token"], _secret = tokens.create(users["school_a1"], "скрипт")
    w["notices"] = {
        role: Notification(user_id=users[role].id, kind="reminder", params={}) for role in ROLES
    }
    db.session.add_all(w["notices"].values())
    w["feed"] = ics.issue_token(users["municipal_b"])
    spec, results = load_small_vpr(w["region"], [w["schools"]["a1"], w["schools"]["b1"]])
    w["spec_json"] = spec.replace(b'"year": 2023', b'"year": 2024')
    w["vpr_csv"] = results
    w["vpr_job"] = VprImport(
        region_id=w["region"].id, filename="r.csv", sha256="0" * 64, size=1, status="done"
    )
    a2 = w["schools"]["a2"]
    marker = {"school_login": a2.login, "year": 2023, "grade": 4, "code": "МА", "marker": 1}
    w["sign_run"] = SignRun(
        region_id=w["region"].id, year=2023, rules={}, markers=[marker], evidence=[], schools=1
    )
    w["session"] = StrategicSession(
        region_id=w["region"].id,
        campaign_id=w["cases"]["a1"].campaign_id,
        title="Стратегическая сессия",
        starts_at=utcnow(),
        place="Калининград",
        directions=[],
        capacity=10,
    )
    db.session.add_all([w["vpr_job"], w["sign_run"], w["session"]])
    db.session.flush()
    db.session.add(  # the run's part of a2, as compute_run stores it
        SignRunSchool(run_id=w["sign_run"].id, school_login=a2.login, markers=[marker], evidence=[])
    )
    db.session.commit()
    return w


@pytest.fixture
def rolled_back(db_session: Any) -> Callable[[], Any]:
    """A context manager: everything inside happens in a savepoint that is then rolled back."""
    from contextlib import contextmanager

    @contextmanager
    def savepoint() -> Iterator[None]:
        db_session.commit()  # the test's own session holds no savepoint of its own now
        nested = db_session.get_bind().begin_nested()
        try:
            yield
        finally:
            db_session.rollback()  # its savepoint (opened inside ours) first
            nested.rollback()
            db_session.expire_all()

    return savepoint
