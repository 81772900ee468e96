"""Two app instances, as behind a load balancer: two gunicorn processes (`wsgi:app`, two
workers of four threads each) on different localhost ports, sharing one PostgreSQL schema and
one Redis, with the same SECRET_KEY. Both trust one proxy's X-Forwarded-For, so that the test
can speak as many different clients from one machine.

What is shown here: a suggestion sent through one instance and published through the other is
at once visible through both (pages, API and the counts each worker caches); a client's rate
limit is spent across both; a session signed in on one is valid on the other; and under
concurrency nothing is lost: 200 suggestions at once, 50 edits of different initiatives at
once, and edits of the same initiative at once, of which all but one get the conflict page.

Without a reachable Redis these tests skip locally; with CI=true they fail instead.
"""

from __future__ import annotations

import re
import threading
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import redis
import requests
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from kommunkarta import db
from kommunkarta.models import Initiative, Revision
from kommunkarta.services import setup
from kommunkarta.services.data_io import demo
from kommunkarta.services.register import content as submission_content
from kommunkarta.services.register import copies
from tests.conftest import IN_CI, PASSWORD, Databases, add_user, make_app
from tests.processes import gunicorn

pytestmark = pytest.mark.processes

REDIS_URL = "redis://127.0.0.1:6379/11"  # a database of the test's own; its keys are removed
RUN = uuid.uuid4().hex[:8]  # in every address, account and title made here
SUGGESTIONS = 200
EDITS = 50
RIVALS = 6
CONFLICT = "Someone else changed this initiative after you opened it. Nothing was overwritten."
TIMEOUT = 60  # seconds for one request on a machine busy with other test runs


def _address(number: int) -> str:
    """A client address of this run (documentation range; the requests never leave
    localhost, the address only travels in X-Forwarded-For)."""
    return f"2001:db8:{RUN[:4]}:{RUN[4:]}::{number:x}"


@pytest.fixture(scope="module")
def shared_redis():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        message = f"Redis not reachable at {REDIS_URL}: {error}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    yield client
    # the keys of this run: its clients' addresses and its accounts
    for pattern in (f"*{_address(0).removesuffix('::0')}*", f"*{RUN}*"):
        for key in client.scan_iter(match=pattern, count=1000):
            client.delete(key)
    client.close()


@pytest.fixture(scope="module")
def instances(shared_redis, postgres_reason, geo, tmp_path_factory):
    """Two gunicorn instances on one PostgreSQL schema with places, taxonomy and
    EDITS + 1 published demo initiatives."""
    databases = Databases("postgresql", tmp_path_factory.mktemp("instances"), postgres_reason)
    url = databases.new_url()
    app = make_app(url, tmp_path_factory.mktemp("setup"))
    with app.app_context():
        setup.init_db(db.engine(), geo)
        with Session(db.engine()) as session, session.begin():
            demo.seed(session, geo, count=EDITS + 1, seed_value=11)
    env = {
        "DATABASE_URL": url,
        "SECRET_KEY": f"shared-{RUN}",
        "REDIS_URL": REDIS_URL,
        "KOMMUNKARTA_TRUSTED_PROXIES": "1",
    }
    try:
        with gunicorn(env) as first, gunicorn(env) as second:
            yield app, first.url, second.url
    finally:
        app.extensions["db_engine"].dispose()
        databases.drop_all()


def _token(html: str) -> str:
    match = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


class Client:
    """One person's browser: a cookie jar and an address, talking to any instance."""

    def __init__(self, number: int) -> None:
        self.http = requests.Session()
        self.http.headers["X-Forwarded-For"] = _address(number)

    def get(self, url: str, **kwargs) -> requests.Response:
        return self.http.get(url, timeout=TIMEOUT, allow_redirects=False, **kwargs)

    def post(self, url: str, data: dict) -> requests.Response:
        return self.http.post(url, data=data, timeout=TIMEOUT, allow_redirects=False)

    def suggest(self, base: str, title: str) -> requests.Response:
        token = _token(self.get(f"{base}/suggest").text)
        form = {
            "csrf_token": token,
            "title": title,
            "municipality": "0180",
            "summary": "Sent while another instance served the same database.",
            "benefit_areas": ["efficiency"],
        }
        return self.post(f"{base}/suggest", form)

    def sign_in(self, base: str, email: str) -> None:
        token = _token(self.get(f"{base}/login").text)
        response = self.post(
            f"{base}/login", {"email": email, "password": PASSWORD, "csrf_token": token}
        )
        assert response.status_code == 302, response.text[:300]

    def close(self) -> None:
        self.http.close()


def _moderator(app, base: str, number: int) -> Client:
    email = f"moderator-{RUN}-{number}@example.se"
    add_user(app, email, "moderator")
    client = Client(number)
    client.sign_in(base, email)
    return client


def _stockholm(base: str) -> int:
    counts = requests.get(f"{base}/api/v1/municipalities", timeout=TIMEOUT).json()
    return next(m["count"] for m in counts if m["code"] == "0180")


def _find(base: str, text: str) -> int:
    response = requests.get(f"{base}/api/v1/initiatives", params={"q": text}, timeout=TIMEOUT)
    return response.json()["total"]


def test_a_suggestion_sent_to_one_and_published_on_the_other_is_seen_by_both(instances):
    app, first, second = instances
    title = f"Suggested through the first instance {RUN}"
    before = [_stockholm(base) for base in (first, second)]  # both cache these counts
    assert before[0] == before[1]

    visitor = Client(1)
    response = visitor.suggest(first, title)
    assert response.status_code == 302 and response.headers["Location"].endswith("/suggest/thanks")
    assert [_find(base, RUN) for base in (first, second)] == [0, 0]  # waits for moderation

    moderator = _moderator(app, second, 2)
    queue = moderator.get(f"{second}/moderation")
    assert queue.status_code == 200 and title in queue.text  # the other instance's write
    with Session(app.extensions["db_engine"]) as session:
        suggestion = session.scalars(select(Initiative).where(Initiative.title == title)).one()
    review = moderator.get(f"{second}/initiatives/{suggestion.id}/review")
    published = moderator.post(
        f"{second}/initiatives/{suggestion.id}/publish",
        {"csrf_token": _token(review.text), "version": str(suggestion.version)},
    )
    assert published.status_code == 302, published.text[:300]

    for base in (first, second):
        assert _find(base, RUN) == 1
        assert _stockholm(base) == before[0] + 1  # no worker kept a stale count
        page = requests.get(f"{base}/initiatives/{suggestion.id}", timeout=TIMEOUT)
        assert page.status_code == 200 and title in page.text
    visitor.close()
    moderator.close()


def test_a_clients_rate_limit_is_spent_across_both_instances(instances):
    _app, first, second = instances
    client, other = Client(10), Client(11)
    bases = [first, second, first, second, first]
    statuses = [
        client.suggest(base, f"Budget {RUN} {n}").status_code for n, base in enumerate(bases)
    ]
    assert statuses == [302] * 5  # five an hour, spent on both instances
    assert client.suggest(second, f"Budget {RUN} 6").status_code == 429
    assert client.suggest(first, f"Budget {RUN} 7").status_code == 429
    assert other.suggest(first, f"Budget {RUN} other").status_code == 302
    client.close()
    other.close()


def test_a_session_signed_in_on_one_instance_is_valid_on_the_other(instances):
    app, first, second = instances
    moderator = _moderator(app, first, 20)
    assert moderator.get(f"{second}/moderation").status_code == 200
    anonymous = Client(21)
    assert anonymous.get(f"{second}/moderation").status_code == 302  # to the sign-in page
    # a form shown by one instance is accepted by the other (its CSRF token is signed with
    # the same key), and signing out there ends the session everywhere
    token = _token(moderator.get(f"{first}/moderation").text)
    assert moderator.post(f"{second}/logout", {"csrf_token": token}).status_code == 302
    assert moderator.get(f"{first}/moderation").status_code == 302
    moderator.close()
    anonymous.close()


def test_200_concurrent_suggestions_are_each_stored_once(instances):
    app, first, second = instances
    titles = [f"Concurrent suggestion {RUN} {n:03d}" for n in range(SUGGESTIONS)]
    bases = [first, second] * (SUGGESTIONS // 2)

    def send(number: int) -> int:
        client = Client(1000 + number)  # every suggestion from its own person
        try:
            return client.suggest(bases[number], titles[number]).status_code
        finally:
            client.close()

    with ThreadPoolExecutor(max_workers=24) as pool:
        statuses = list(pool.map(send, range(SUGGESTIONS)))
    assert Counter(statuses) == {302: SUGGESTIONS}
    with Session(app.extensions["db_engine"]) as session:
        stored = Counter(
            session.scalars(
                select(Initiative.title).where(
                    Initiative.title.like(f"Concurrent suggestion {RUN} %")
                )
            )
        )
    assert stored == Counter(titles)  # every one, each exactly once


def _edit_form(content: submission_content.Content, token: str, version: int, title: str) -> dict:
    form = {"csrf_token": token, "version": str(version), "publish": "1"}
    for name, value in content.values().items():
        if value is not None:
            form[name] = value
    form["title"] = title
    return form


def _demo_ids(app) -> list[int]:
    with Session(app.extensions["db_engine"]) as session:
        return list(
            session.scalars(select(Initiative.id).where(Initiative.is_demo).order_by(Initiative.id))
        )


def _state(app, initiative_id: int) -> tuple[str, int, int]:
    """The title, version and number of revisions of an initiative."""
    with Session(app.extensions["db_engine"]) as session:
        initiative = session.get_one(Initiative, initiative_id)
        revisions = session.execute(
            select(func.count(Revision.id)).where(Revision.initiative_id == initiative_id)
        ).scalar_one()
        return initiative.title, initiative.version, revisions


def _working_copy(app, initiative_id: int) -> submission_content.Content:
    with Session(app.extensions["db_engine"]) as session:
        return copies.working_copy(session.get_one(Initiative, initiative_id))


def test_50_concurrent_edits_of_different_initiatives_are_each_stored_once(instances):
    app, first, second = instances
    moderator = _moderator(app, first, 30)
    ids = _demo_ids(app)[:EDITS]
    before = {i: _state(app, i) for i in ids}

    def edit(position: int) -> int:
        initiative_id = ids[position]
        base = (first, second)[position % 2]
        editor = requests.Session()
        editor.cookies.update(moderator.http.cookies)
        try:
            form_page = editor.get(f"{base}/initiatives/{initiative_id}/edit", timeout=TIMEOUT)
            assert form_page.status_code == 200
            form = _edit_form(
                _working_copy(app, initiative_id),
                _token(form_page.text),
                before[initiative_id][1],
                f"Edited concurrently {RUN} {initiative_id}",
            )
            response = editor.post(
                f"{base}/initiatives/{initiative_id}/edit",
                data=form,
                timeout=TIMEOUT,
                allow_redirects=False,
            )
            return response.status_code
        finally:
            editor.close()

    with ThreadPoolExecutor(max_workers=16) as pool:
        statuses = list(pool.map(edit, range(EDITS)))
    assert Counter(statuses) == {302: EDITS}
    for initiative_id in ids:
        title, version, revisions = _state(app, initiative_id)
        assert title == f"Edited concurrently {RUN} {initiative_id}"
        assert version > before[initiative_id][1]
        assert revisions == before[initiative_id][2] + 1  # one entry in its history
    moderator.close()


def test_rival_edits_of_one_initiative_are_one_saved_and_the_rest_told(instances):
    app, first, second = instances
    moderators = [_moderator(app, (first, second)[n % 2], 40 + n) for n in range(RIVALS)]
    initiative_id = _demo_ids(app)[EDITS]
    title, version, revisions = _state(app, initiative_id)
    content = _working_copy(app, initiative_id)
    forms = []
    for n, moderator in enumerate(moderators):
        base = (first, second)[n % 2]
        page = moderator.get(f"{base}/initiatives/{initiative_id}/edit")
        forms.append(_edit_form(content, _token(page.text), version, f"Rival {RUN} {n}"))
    start = threading.Barrier(RIVALS)

    def save(n: int) -> requests.Response:
        base = (first, second)[n % 2]
        start.wait(timeout=TIMEOUT)
        return moderators[n].post(f"{base}/initiatives/{initiative_id}/edit?lang=en", forms[n])

    with ThreadPoolExecutor(max_workers=RIVALS) as pool:
        responses = list(pool.map(save, range(RIVALS)))
    statuses = [r.status_code for r in responses]
    assert sorted(statuses) == [302] + [409] * (RIVALS - 1), statuses
    winner = statuses.index(302)
    stored_title, stored_version, stored_revisions = _state(app, initiative_id)
    assert stored_title == f"Rival {RUN} {winner}"  # nobody's edit overwrote the winner's
    assert stored_version > version
    assert stored_revisions == revisions + 1
    for response in responses:
        if response.status_code == 409:
            assert CONFLICT in response.text
            # the form comes back with what they typed and the stored version's number,
            # ready to be saved again deliberately
            shown = re.search(r'name="version" type="hidden" value="(\d+)"', response.text)
            assert shown and int(shown.group(1)) == stored_version
            assert f"Rival {RUN} {responses.index(response)}" in response.text
    for moderator in moderators:
        moderator.close()
