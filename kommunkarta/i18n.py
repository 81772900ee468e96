"""Language choice: Swedish by default, English with `lang=en`, remembered in a cookie."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, g, has_request_context, request, url_for

LANGUAGES = ("sv", "en")
COOKIE = "lang"


def select_locale() -> str:
    """The page's language; outside a request (the command line) messages are English."""
    if not has_request_context():
        return "en"
    if "lang" not in g:
        chosen = request.args.get("lang")
        if chosen not in LANGUAGES:
            chosen = request.cookies.get(COOKIE)
        g.lang = chosen if chosen in LANGUAGES else "sv"
    return g.lang


def _remember(response: Response) -> Response:
    chosen = request.args.get("lang")
    if chosen in LANGUAGES and request.cookies.get(COOKIE) != chosen:
        response.set_cookie(
            COOKIE,
            chosen,
            max_age=365 * 24 * 3600,
            samesite="Lax",
            httponly=True,
            secure=request.is_secure,
        )
    return response


def other_lang() -> str:
    return "en" if select_locale() == "sv" else "sv"


def lang_switch_url() -> str:
    """The current page in the other language."""
    view_args = request.view_args or {}
    # a query parameter named like a path argument (?code=… on /municipalities/<code>) or
    # like one of url_for's own (_external, _scheme, _anchor, _method) is left out: passing
    # it on would clash with them
    args: dict[str, Any] = {
        name: values
        for name, values in request.args.lists()
        if name not in view_args and not name.startswith("_")
    }
    args["lang"] = other_lang()
    if request.endpoint and request.url_rule and "GET" in (request.url_rule.methods or ()):
        return url_for(request.endpoint, **view_args, **args)
    return url_for("public.home", lang=args["lang"])


def init_app(app: Flask) -> None:
    app.after_request(_remember)
    app.jinja_env.globals.update(
        current_lang=select_locale, other_lang=other_lang, lang_switch_url=lang_switch_url
    )
