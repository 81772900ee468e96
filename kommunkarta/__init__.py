"""Kommunkartan: the national map of AI initiatives in Swedish municipalities."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask, Response, request
from flask.json.provider import DefaultJSONProvider

from kommunkarta import config, db, errors, i18n, rules, security
from kommunkarta.extensions import babel, compress, csrf, limiter, login_manager
from kommunkarta.filters import InitiativeFilter

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def create_app(
    test_config: dict[str, Any] | None = None, instance_path: str | None = None
) -> Flask:
    """The app. `instance_path` (default: `instance/` beside the package) is where it keeps
    its SQLite database and generated secret key; tests give a temporary folder, so that
    nothing is written into the checkout."""
    app = Flask(
        __name__,
        instance_path=instance_path,
        instance_relative_config=True,
        template_folder=str(TEMPLATES),
    )
    configure(app, test_config)
    configure_extensions(app)
    register_blueprints(app)
    errors.register(app)
    register_cli(app)
    return app


def configure(app: Flask, test_config: dict[str, Any] | None) -> None:
    app.config.from_mapping(config.from_environment(Path(app.instance_path), test_config))
    if test_config:
        app.config.update(test_config)
    app.config["STALE_MONTHS"] = config.stale_months(app.config["STALE_MONTHS"])
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True
    app.jinja_env.globals["filter_params"] = InitiativeFilter.params()
    app.json = _JSONProvider(app)
    app.url_map.converters["id"] = rules.IdConverter  # before any route is added


class _JSONProvider(DefaultJSONProvider):
    sort_keys = False  # keys in the order the contract lists them
    ensure_ascii = False  # å, ä and ö as themselves


def configure_extensions(app: Flask) -> None:
    db.init_app(app)
    babel.init_app(app, locale_selector=i18n.select_locale)
    i18n.init_app(app)
    security.init_app(app)
    app.config["COMPRESS_REGISTER"] = False
    compress.init_app(app)
    app.after_request(_compress)
    csrf.init_app(app)
    login_manager.init_app(app)
    from kommunkarta import auth  # registers the user loader

    auth.init_app(app)

    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config["REDIS_URL"] or "memory://")
    limiter.init_app(app)


def _compress(response: Response) -> Response:
    """Compress with Flask-Compress, closing the file of a static response it has read
    into memory (Flask-Compress leaves it open). A client that refuses gzip (`gzip;q=0`)
    gets the body as it is: Flask-Compress reads that quality as a choice."""
    if request.accept_encodings and not request.accept_encodings["gzip"]:
        response.vary.add("Accept-Encoding")
        return response
    original = response.response if response.direct_passthrough else None
    response = compress.after_request(response)
    if original is not None and response.response is not original:
        getattr(original, "close", lambda: None)()
    return response


def register_blueprints(app: Flask) -> None:
    from kommunkarta.admin import bp as admin_bp
    from kommunkarta.api.views import bp as api_bp
    from kommunkarta.auth import bp as auth_bp
    from kommunkarta.opendata.views import bp as opendata_bp
    from kommunkarta.public import bp as public_bp
    from kommunkarta.submissions import bp as submissions_bp

    app.register_blueprint(public_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(submissions_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(api_bp, url_prefix="/api/v1")
    app.register_blueprint(opendata_bp)
    csrf.exempt(api_bp)


def register_cli(app: Flask) -> None:
    from kommunkarta.cli import register

    register(app)
