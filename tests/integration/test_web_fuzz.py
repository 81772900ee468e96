"""A fuzzer over the whole web surface, beside Schemathesis for the API (test_api_fuzz.py).

Every route of the app, GET and POST (whichever it answers), anonymous and signed in as each
role, with and without a valid CSRF token, gets hostile values from Hypothesis in its path,
its query and its form: Unicode digits, huge and negative numbers, NUL, lone surrogates and
other bytes that are not UTF-8, very long strings, markup. No answer may be a 5xx and no
request may raise (the test app propagates exceptions, so a traceback fails the test).

Examples per route: KOMMUNKARTA_FUZZ_EXAMPLES (default 4, so that `make test` stays quick;
raise it for a deeper run).
"""

from __future__ import annotations

import os
import re
import zlib
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from kommunkarta.extensions import limiter
from kommunkarta.models import User
from tests.conftest import add_user, csrf_from

EXAMPLES = int(os.environ.get("KOMMUNKARTA_FUZZ_EXAMPLES", "4"))
ROLES = ("anonymous", "coordinator", "moderator", "admin")
SKIPPED = {"static"}
# posting these with a valid token would end the fuzzing session itself
NO_VALID_POST = {"auth.logout", "auth.change_password"}

NUMBERS = [
    "0",
    "1",
    "-1",
    "007",
    "²",
    "٣",
    "１２",
    "1e999",
    "nan",
    "1.5",
    " 1",
    str(2**31),
    str(2**63 - 1),
    str(2**63),
    str(2**64),
    "9" * 40,
]
TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "\udfff",
    "\u202e",
    "<script>alert(1)</script>",
    "'\"--;",
    "../../etc/passwd",
    "%",
    "%%2",
    "0180",
    "01",
    "efficiency",
    "x" * 5000,
    "å" * 70_000,
]
# bytes that are not UTF-8 at all, percent-encoded as an odd client would send them
ODD_BYTES = [b"\xff", b"\xc3", b"\xed\xa0\x80", b"\xe5\xe4\xf6"]
NAMES = [
    "page",
    "per_page",
    "q",
    "lang",
    "level",
    "view",
    "measure",
    "next",
    "sort",
    "dir",
    "benefit",
    "area",
    "status",
    "tech",
    "region",
    "municipality",
    "year_from",
    "year_to",
    "reuse",
    "risk",
    "version",
    "reason",
    "token",
    "filename",
    "active",
    "role",
    "email",
    "password",
    "current",
    "title",
    "summary",
    "description",
    "municipalities",
    "benefit_areas",
    "technologies",
    "start_year",
    "url",
    "contact",
    "lat",
    "lon",
    "text",
    "reply",
    "note",
    "account",
    "action",
    "effects-0-amount",
    "effects-0-period",
    "duplicates_seen",
    # names that clash with path arguments or with url_for's own
    "code",
    "initiative_id",
    "user_id",
    "_external",
    "_scheme",
    "_anchor",
    "_method",
]

LIMIT = 2**70
value = st.one_of(
    st.sampled_from(NUMBERS),
    st.sampled_from(TEXT),
    st.sampled_from(ODD_BYTES),
    st.integers(min_value=-LIMIT, max_value=LIMIT).map(str),
    st.text(max_size=30),
)
fields = st.lists(st.tuples(st.sampled_from(NAMES), value), max_size=8)


def _encode(item: str | bytes) -> str:
    raw = item if isinstance(item, bytes) else item.encode("utf-8", "surrogatepass")
    return quote(raw, safe="")


def _query(pairs: list[tuple[str, str | bytes]]) -> str:
    return "&".join(f"{_encode(k)}={_encode(v)}" for k, v in pairs)


@pytest.fixture(scope="module")
def fuzz_app(seeded_app):
    return seeded_app


@pytest.fixture(scope="module")
def browsers(fuzz_app):
    """A client per role, each holding a CSRF token, and the accounts behind them."""
    made = {}
    for role in ROLES:
        client = fuzz_app.test_client()
        user = None if role == "anonymous" else add_user(fuzz_app, f"fuzz-{role}@example.se", role)
        token = csrf_from(client.get("/suggest"))
        made[role] = (client, user, token)
    return made


def _sign_in_again(app, client, user: User | None) -> None:
    """Undo whatever the last request did to the account (disabled it, changed its role,
    ended its sessions) and put it back into the client's session."""
    if user is None:
        with client.session_transaction() as session:
            session.pop("_user_id", None)
        return
    with Session(app.extensions["db_engine"]) as s, s.begin():
        s.execute(update(User).where(User.id == user.id).values(active=True, role=user.role))
        token = s.scalar(select(User.session_token).where(User.id == user.id))
    with client.session_transaction() as session:
        session["_user_id"] = f"{user.id}:{token}"
        session["_fresh"] = True


def _routes(app) -> list:
    rules = [r for r in app.url_map.iter_rules() if r.endpoint not in SKIPPED]
    return sorted(rules, key=lambda r: r.rule)


def _path(rule, values: dict[str, str | bytes]) -> str:
    """The rule's path with each <converter:name> replaced by the value drawn for it."""
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: _encode(values[m.group(1)]), rule.rule)


def pytest_generate_tests(metafunc):
    if "rule_name" in metafunc.fixturenames:
        from kommunkarta import create_app

        app = create_app({"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": "sqlite://"})
        metafunc.parametrize("rule_name", [r.rule for r in _routes(app)])


@pytest.mark.parametrize("role", ROLES)
def test_no_request_is_a_server_error(fuzz_app, browsers, rule_name, role):
    rule = next(r for r in fuzz_app.url_map.iter_rules() if r.rule == rule_name)
    methods = sorted(rule.methods & {"GET", "POST"})
    client, user, token = browsers[role]

    @seed(zlib.crc32(f"{rule_name} {role}".encode()))  # reproducible, different per route
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(
        method=st.sampled_from(methods),
        arguments=st.fixed_dictionaries({name: value for name in rule.arguments}),
        query=fields,
        form=fields,
        with_token=st.booleans(),
    )
    def request_once(method, arguments, query, form, with_token):
        _send(fuzz_app, rule, client, user, token, method, arguments, query, form, with_token)

    request_once()


def _send(app, rule, client, user, token, method, arguments, query, form, with_token) -> None:
    limiter.reset()
    _sign_in_again(app, client, user)
    path = _path(rule, arguments)
    if method == "GET":
        response = client.get(f"{path}?{_query(query)}")
    else:
        if with_token and rule.endpoint not in NO_VALID_POST:
            form = [("csrf_token", token), *form]
        response = client.post(
            f"{path}?{_query(query)}",
            data=_query(form),
            content_type="application/x-www-form-urlencoded",
        )
    with response:
        body = response.get_data()
        assert response.status_code < 500, (method, path, query, form, response.status_code)
        assert b"Traceback" not in body


@pytest.mark.parametrize("number", NUMBERS)
def test_every_number_in_every_place_as_an_admin(fuzz_app, browsers, number):
    """Each hostile number at once in every path argument, every query parameter and every
    form field of every route, as an admin with a valid token: the sweep that Hypothesis's
    few random examples per route might miss."""
    client, user, token = browsers["admin"]
    everything = [(name, number) for name in NAMES]
    for rule in _routes(fuzz_app):
        arguments = dict.fromkeys(rule.arguments, number)
        for method in sorted(rule.methods & {"GET", "POST"}):
            _send(
                fuzz_app, rule, client, user, token, method, arguments, everything, everything, True
            )
