"""The application factory: a straight list of init_app calls and blueprint registrations."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.routing import IntegerConverter

from app import audit, cli, dbsetup, i18n, logs, readcache
from app.access import web as access_web
from app.api.v1 import bp as api_bp
from app.config import ROOT, load_config
from app.extensions import csrf, db, login_manager, migrate
from app.notices import events as notice_events
from app.web import error_pages, filters, hardening, navigation, pagination
from app.web.admin.views import bp as admin_bp
from app.web.auditing.views import bp as auditing_bp
from app.web.auth.views import bp as auth_bp
from app.web.campaigns.views import bp as campaigns_bp
from app.web.cases.overview import bp as overview_bp
from app.web.cases.views import bp as cases_bp
from app.web.documents.views import bp as documents_bp
from app.web.main.views import bp as main_bp
from app.web.mechanisms.views import bp as mechanisms_bp
from app.web.notices.views import bp as notices_bp
from app.web.notices.views import init_app as notices_init
from app.web.plans.views import bp as plans_bp
from app.web.roadmaps.views import bp as roadmaps_bp
from app.web.sessions.views import bp as sessions_bp
from app.web.stages.views import bp as stages_bp
from app.web.vpr.views import bp as vpr_bp


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the application; ``config`` overrides settings read from the environment."""
    app = Flask(
        __name__,
        instance_path=str(ROOT / "instance"),
        template_folder=str(ROOT / "templates"),
    )
    app.config.update(load_config(Path(app.instance_path)))
    if config:
        app.config.update(config)

    logs.init_app(app)
    dbsetup.install()
    db.init_app(app)
    readcache.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    i18n.init_app(app, timezone_selector=filters.region_timezone)
    login_manager.init_app(app)
    audit.install_guards()
    error_pages.init_app(app)
    hardening.init_app(app)
    access_web.init_app(app)
    navigation.init_app(app)
    pagination.init_app(app)
    app.url_map.converters["int"] = DatabaseInteger
    _register_blueprints(app)
    filters.init_app(app)
    _register_commands(app)
    _apply_proxy_fix(app)
    logging.getLogger(__name__).debug("app created (%s)", app.config["OKO_ENV"])
    return app


def compile_templates(app: Flask) -> int:
    """Compile every page template into the application's template cache now (a server's
    master, before it forks its workers); returns how many there are."""
    names = app.jinja_env.list_templates()
    for name in names:
        app.jinja_env.get_template(name)
    return len(names)


class DatabaseInteger(IntegerConverter):
    """``<int:…>`` in URLs matches only what fits a database integer: an id beyond it is a 404,
    not an error from the database."""

    def __init__(
        self,
        url_map: Any,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = 2**31 - 1,
        signed: bool = False,
    ) -> None:
        super().__init__(url_map, fixed_digits, min, max, signed)


def _register_blueprints(app: Flask) -> None:
    app.register_blueprint(auth_bp)
    app.register_blueprint(main_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(overview_bp)
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(plans_bp)
    app.register_blueprint(mechanisms_bp)
    app.register_blueprint(auditing_bp)
    app.register_blueprint(documents_bp)
    app.register_blueprint(roadmaps_bp)
    app.register_blueprint(vpr_bp)
    app.register_blueprint(notices_bp)
    notices_init(app)
    notice_events.install()
    app.register_blueprint(api_bp)
    app.register_blueprint(stages_bp)
    app.register_blueprint(sessions_bp)
    app.register_blueprint(admin_bp, url_prefix="/admin")


def _register_commands(app: Flask) -> None:
    cli.register(app)


def _apply_proxy_fix(app: Flask) -> None:
    hops = app.config["OKO_PROXY_HOPS"]
    if hops:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
