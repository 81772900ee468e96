"""Admins retire, restore, merge and describe taxonomy terms at /admin/taxonomy, on both
databases: a retired term leaves the forms and filter choices but stays on its initiatives,
in links, the API and exports; a merge moves every link (once), writes a revision per changed
initiative and makes old links select the target; every change is in the audit log; bad
input is a message with nothing changed."""

from __future__ import annotations

import json
import re
import threading

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta import db
from kommunkarta.models import (
    AuditEntry,
    BenefitArea,
    Effect,
    Initiative,
    Municipality,
    Revision,
    State,
    Status,
    Technology,
    utcnow,
)
from kommunkarta.services import audit, setup, taxonomy_admin, taxonomy_merge
from kommunkarta.services.errors import InvalidField
from kommunkarta.services.register.content import Content
from tests.conftest import add_user, csrf_from
from tests.integration import test_pstw as pstw_tests
from tests.integration.test_submissions import _form as submission_form
from tests.integration.test_submissions import _post as submission_post
from tests.integration.test_submissions import _version as submission_version

pytestmark = pytest.mark.usefixtures("fresh_limits")


def _initiative(app, title: str, benefits=(), techs=("chatbot",), status="pilot", pending=None):
    with Session(app.extensions["db_engine"], expire_on_commit=False) as s, s.begin():
        item = Initiative(
            title=title,
            summary="Svarar på frågor.",
            state=State.PUBLISHED,
            status=s.scalar(select(Status).where(Status.slug == status)),
            municipalities=[s.get(Municipality, "0180")],
            benefit_areas=list(
                s.scalars(select(BenefitArea).where(BenefitArea.slug.in_(benefits)))
            ),
            technologies=list(s.scalars(select(Technology).where(Technology.slug.in_(techs)))),
            pending=pending,
            pending_state=State.SUBMITTED if pending else None,
        )
        item.refresh_search_text()
        s.add(item)
    return item.id


def _post(client, path, data=None):
    token = csrf_from(client.get("/admin/users"))
    return client.post(path, data={**(data or {}), "csrf_token": token})


def _taxonomy(client, kind):
    return {t["slug"]: t for t in client.get("/api/v1/taxonomy").get_json()[kind]}


def _ids(client, query):
    return sorted(i["id"] for i in client.get(f"/api/v1/initiatives?{query}").get_json()["items"])


def _item(client, initiative_id):
    return client.get(f"/api/v1/initiatives/{initiative_id}").get_json()


def _openapi_enum(client, parameter):
    document = client.get("/api/v1/openapi.json").get_json()
    return document["components"]["parameters"][parameter]["schema"]["items"]["enum"]


def _audit(app, action):
    with Session(app.extensions["db_engine"]) as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.action == action))
        return [(e.subject, audit.details(e)) for e in rows]


def _revisions(app, initiative_id):
    with Session(app.extensions["db_engine"]) as s:
        rows = s.execute(
            select(Revision.action, Revision.changes, Revision.user_id)
            .where(Revision.initiative_id == initiative_id)
            .order_by(Revision.id)
        ).all()
    return [(action, json.loads(changes), user_id) for action, changes, user_id in rows]


def test_a_retired_term_leaves_forms_and_filters_but_stays_on_its_initiatives(
    app, client, login_as, geo
):
    carrying = _initiative(app, "Chattbot för bygglov", benefits=("safety",))
    admin = login_as("admin")
    assert 'value="safety"' in client.get("/initiatives/new").get_data(as_text=True)
    response = _post(client, "/admin/taxonomy/benefit_areas/safety/retire", {"retired": "1"})
    assert response.status_code == 302
    assert _taxonomy(client, "benefit_areas")["safety"]["retired"] is True
    assert 'value="safety"' not in client.get("/initiatives/new").get_data(as_text=True)
    assert 'value="safety"' not in client.get("/initiatives").get_data(as_text=True)
    # still on the initiative, in an old link (checked there, so it can be unchecked), exports
    assert _item(client, carrying)["benefit_areas"] == ["safety"]
    assert _ids(client, "benefit=safety") == [carrying]
    old_link = client.get("/initiatives?benefit=safety&lang=en").get_data(as_text=True)
    assert re.search(r'value="safety"\s+checked> Safety and security \(retired\)', old_link)
    assert "safety" in client.get("/export.csv?benefit=safety").get_data(as_text=True)
    page = app.test_client().get(f"/initiatives/{carrying}").get_data(as_text=True)
    assert "Trygghet och säkerhet" in page
    # editing the initiative offers the retired term it carries, so saving keeps it
    coordinator = app.test_client()
    login_as("coordinator", on=coordinator)
    edit = coordinator.get(f"/initiatives/{carrying}/edit").get_data(as_text=True)
    assert re.search(r'value="safety"\s+checked> Trygghet och säkerhet \(avvecklad\)', edit)
    saved = submission_post(
        coordinator,
        f"/initiatives/{carrying}/edit",
        submission_form(
            benefit_areas=["safety"], version=submission_version(app, carrying), save_draft=None
        )
        | {"submit_review": "Submit for review"},
    )
    assert saved.status_code == 302
    with Session(app.extensions["db_engine"]) as s:
        waiting = Content.from_json(s.get_one(Initiative, carrying).pending or "")
    assert waiting.benefit_areas == ("safety",)
    refused = submission_post(
        coordinator, "/initiatives/new", submission_form(benefit_areas=["safety"])
    )
    assert refused.status_code == 400  # not offered for a new initiative
    with app.app_context():
        setup.init_db(db.engine(), geo)
    assert _taxonomy(client, "benefit_areas")["safety"]["retired"] is True
    assert (
        _post(client, "/admin/taxonomy/benefit_areas/safety/retire", {"retired": "0"}).status_code
        == 302
    )
    assert _taxonomy(client, "benefit_areas")["safety"]["retired"] is False
    assert 'value="safety"' in client.get("/initiatives/new").get_data(as_text=True)
    assert _audit(app, audit.TERM_RETIRED) == [("benefit_areas/safety", {})]
    assert _audit(app, audit.TERM_RESTORED) == [("benefit_areas/safety", {})]
    with Session(app.extensions["db_engine"]) as s:
        emails = set(s.scalars(select(AuditEntry.email).where(AuditEntry.action.like("term-%"))))
    assert emails == {admin.email}


def test_retiring_twice_or_the_last_term_in_use_is_refused(app, client, login_as):
    login_as("admin")
    statuses = list(_taxonomy(client, "statuses"))
    for slug in statuses[:-1]:
        _post(client, f"/admin/taxonomy/statuses/{slug}/retire", {"retired": "1"})
    last = client.get("/admin/taxonomy/statuses/" + statuses[-1])
    assert last.status_code == 200
    refused = _post(client, f"/admin/taxonomy/statuses/{statuses[-1]}/retire?lang=en")
    assert refused.status_code == 400
    assert "Keep at least one term of this kind in use" in refused.get_data(as_text=True)
    again = _post(client, f"/admin/taxonomy/statuses/{statuses[0]}/retire?lang=en")
    assert again.status_code == 400 and "retired already" in again.get_data(as_text=True)
    restore = _post(
        client, f"/admin/taxonomy/statuses/{statuses[-1]}/retire?lang=en", {"retired": "0"}
    )
    assert restore.status_code == 400 and "in use already" in restore.get_data(as_text=True)
    assert [t["retired"] for t in _taxonomy(client, "statuses").values()][-1] is False
    assert len(_audit(app, audit.TERM_RETIRED)) == len(statuses) - 1


def test_merging_moves_every_link_once_with_a_revision_and_old_links_follow(
    app, client, login_as, geo
):
    waiting_edit = Content(
        title="Chattbot", status="pilot", municipalities=("0180",), technologies=("chatbot",)
    ).to_json()
    only_old = _initiative(app, "Chattbot för bygglov", techs=("chatbot",), pending=waiting_edit)
    both = _initiative(app, "Röststyrd chattbot", techs=("chatbot", "language-technology"))
    only_new = _initiative(app, "Översättning", techs=("language-technology",))
    untouched = _initiative(app, "Bildanalys", techs=("computer-vision",))
    admin = login_as("admin")
    response = _post(
        client,
        "/admin/taxonomy/technologies/chatbot/merge",
        {"into": "language-technology", "confirm": "yes"},
    )
    assert response.status_code == 302
    for initiative_id in (only_old, both, only_new):
        assert _item(client, initiative_id)["technologies"] == ["language-technology"]
    assert _item(client, untouched)["technologies"] == ["computer-vision"]
    assert _revisions(app, only_old) == [
        ("edited", {"technologies": [["chatbot"], ["language-technology"]]}, admin.id)
    ]
    assert _revisions(app, both) == [
        (
            "edited",
            {"technologies": [["chatbot", "language-technology"], ["language-technology"]]},
            admin.id,
        )
    ]
    assert _revisions(app, only_new) == [] and _revisions(app, untouched) == []
    with Session(app.extensions["db_engine"]) as s:
        pending = Content.from_json(s.get_one(Initiative, only_old).pending or "")
    assert pending.technologies == ("language-technology",)
    # the merged slug is retired, remembers the target, and an old link selects the target
    term = _taxonomy(client, "technologies")["chatbot"]
    assert (term["retired"], term["merged_into"]) == (True, "language-technology")
    assert _ids(client, "tech=chatbot") == sorted([only_old, both, only_new])
    assert client.get("/initiatives?tech=chatbot").status_code == 200
    assert 'value="chatbot"' not in client.get("/initiatives/new").get_data(as_text=True)
    assert "chatbot" in _openapi_enum(client, "tech")  # still a valid filter value
    assert _audit(app, audit.TERM_MERGED) == [
        (
            "technologies/chatbot",
            {"into": "language-technology", "initiatives": 2},
        )
    ]
    with app.app_context():
        setup.init_db(db.engine(), geo)
    assert _taxonomy(client, "technologies")["chatbot"]["merged_into"] == "language-technology"
    refused = _post(client, "/admin/taxonomy/technologies/chatbot/retire?lang=en", {"retired": "0"})
    assert refused.status_code == 400 and "cannot return" in refused.get_data(as_text=True)


def _effect(app, initiative_id: int, benefit: str) -> None:
    with Session(app.extensions["db_engine"]) as s, s.begin():
        area = s.scalar(select(BenefitArea).where(BenefitArea.slug == benefit))
        s.add(
            Effect(
                initiative_id=initiative_id,
                kind="time",
                amount=2,
                unit="hours",
                period="week",
                basis="estimated",
                benefit_area=area,
            )
        )


def test_merging_a_benefit_area_moves_the_effects_stated_for_it(app, client, login_as):
    linked = _initiative(app, "Chattbot", benefits=("safety",))
    _effect(app, linked, "safety")
    effect_only = _initiative(app, "Bildanalys", benefits=("efficiency",))
    _effect(app, effect_only, "safety")
    admin = login_as("admin")
    response = _post(
        client,
        "/admin/taxonomy/benefit_areas/safety/merge",
        {"into": "efficiency", "confirm": "yes"},
    )
    assert response.status_code == 302
    for initiative_id in (linked, effect_only):
        item = _item(client, initiative_id)
        assert item["benefit_areas"] == ["efficiency"]
        assert [e["benefit_area"] for e in item["effects"]] == ["efficiency"]
    ((action, changes, user_id),) = _revisions(app, linked)
    assert (action, user_id) == ("edited", admin.id)
    assert changes["benefit_areas"] == [["safety"], ["efficiency"]]
    assert [e["benefit_area"] for e in changes["effects"][0]] == ["safety"]
    assert [e["benefit_area"] for e in changes["effects"][1]] == ["efficiency"]
    ((_action, changes, _user),) = _revisions(app, effect_only)
    assert list(changes) == ["effects"]
    assert _audit(app, audit.TERM_MERGED) == [
        ("benefit_areas/safety", {"into": "efficiency", "initiatives": 2})
    ]


def test_merging_a_status_changes_each_initiative_with_it(app, client, login_as):
    piloting = _initiative(app, "Chattbot", status="pilot")
    producing = _initiative(app, "Bildanalys", status="production")
    admin = login_as("admin")
    assert (
        _post(
            client, "/admin/taxonomy/statuses/pilot/merge", {"into": "production", "confirm": "yes"}
        ).status_code
        == 302
    )
    assert _item(client, piloting)["status"] == "production"
    assert _revisions(app, piloting) == [("edited", {"status": ["pilot", "production"]}, admin.id)]
    assert _revisions(app, producing) == []
    assert _ids(client, "status=pilot") == sorted([piloting, producing])


@pytest.mark.parametrize(
    ("into", "message"),
    [
        ("chatbot", "Choose another term"),
        ("no-such-term", "Choose another term"),
        ("", "Choose another term"),
        ("computer-vision", "is retired"),
    ],
)
def test_a_bad_merge_is_a_message_and_changes_nothing(app, client, login_as, into, message):
    carrying = _initiative(app, "Chattbot", techs=("chatbot",))
    login_as("admin")
    _post(client, "/admin/taxonomy/technologies/computer-vision/retire", {"retired": "1"})
    response = _post(
        client,
        "/admin/taxonomy/technologies/chatbot/merge?lang=en",
        {"into": into, "confirm": "yes"},
    )
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _item(client, carrying)["technologies"] == ["chatbot"]
    assert _revisions(app, carrying) == [] and _audit(app, audit.TERM_MERGED) == []
    assert _taxonomy(client, "technologies")["chatbot"]["retired"] is False


def test_a_merge_is_first_described_and_done_only_when_confirmed(app, client, login_as):
    carrying = _initiative(app, "Chattbot", techs=("chatbot", "language-technology"))
    _initiative(app, "Röstbot", techs=("chatbot",))
    login_as("admin")
    path = "/admin/taxonomy/technologies/chatbot/merge?lang=en"
    asked = _post(client, path, {"into": "language-technology"})
    assert asked.status_code == 200
    page = asked.get_data(as_text=True)
    assert "Merge chatbot into language-technology?" in page
    assert "2 initiatives carry “Chatbot and virtual assistant”" in page
    assert 'name="confirm" value="yes"' in page
    assert sorted(_item(client, carrying)["technologies"]) == ["chatbot", "language-technology"]
    assert _taxonomy(client, "technologies")["chatbot"]["retired"] is False
    assert _audit(app, audit.TERM_MERGED) == [] and _revisions(app, carrying) == []
    refused = _post(client, path, {"into": "chatbot"})  # checked before it is described
    assert refused.status_code == 400 and "Choose another term" in refused.get_data(as_text=True)


def test_a_term_merged_already_cannot_be_merged_again(app, client, login_as):
    login_as("admin")
    _post(
        client,
        "/admin/taxonomy/technologies/chatbot/merge",
        {"into": "language-technology", "confirm": "yes"},
    )
    again = _post(
        client,
        "/admin/taxonomy/technologies/chatbot/merge?lang=en",
        {"into": "optimisation", "confirm": "yes"},
    )
    assert again.status_code == 400 and "merged into language-technology" in again.get_data(
        as_text=True
    )
    assert _taxonomy(client, "technologies")["chatbot"]["merged_into"] == "language-technology"


def test_two_merges_the_other_way_round_at_once_leave_one(app, client, databases, monkeypatch):
    """Two admins merge robotics into digital-twin and digital-twin into robotics at the same
    moment, each having checked both terms before the other commits: one merge is done and
    the other refused, instead of both terms ending retired, each merged into the other."""
    if databases.backend == "sqlite":
        pytest.skip("SQLite runs one writing transaction at a time (BEGIN IMMEDIATE)")
    robot = _initiative(app, "Robot", techs=("robotics",))
    admin = add_user(app, "admin-race@example.se", "admin")
    engine = db.writing_engine(app.extensions["db_engine"])
    checked, go = threading.Event(), threading.Event()
    move_links = taxonomy_merge._move_links

    def move_links_after_the_other(*args):
        if threading.current_thread().name == "first":
            checked.set()
            go.wait(30)
        move_links(*args)

    monkeypatch.setattr(taxonomy_merge, "_move_links", move_links_after_the_other)
    refused: list[str] = []

    def merge(slug: str, into: str) -> None:
        with Session(engine) as session:
            try:
                taxonomy_merge.merge(session, "technologies", slug, into, admin)
            except InvalidField as error:
                refused.append(str(error.reason))

    first = threading.Thread(target=merge, args=("digital-twin", "robotics"), name="first")
    first.start()
    assert checked.wait(30)
    second = threading.Thread(target=merge, args=("robotics", "digital-twin"), name="second")
    second.start()
    second.join(3)  # done by now unless it waits for the first, as it should
    go.set()
    first.join(30)
    second.join(30)
    assert refused == ["digital-twin is retired: choose a term in use."]
    terms = _taxonomy(client, "technologies")
    assert terms["digital-twin"]["merged_into"] == "robotics"
    assert (terms["robotics"]["retired"], terms["robotics"]["merged_into"]) == (False, None)
    assert _item(client, robot)["technologies"] == ["robotics"]


def test_two_admins_retiring_the_last_two_terms_at_once_leave_one_in_use(
    app, client, databases, monkeypatch
):
    """Each checks that another status stays in use before the other commits: the second
    is refused once the first is done, instead of no status being left to choose."""
    if databases.backend == "sqlite":
        pytest.skip("SQLite runs one writing transaction at a time (BEGIN IMMEDIATE)")
    with Session(app.extensions["db_engine"]) as s, s.begin():
        for status in s.scalars(select(Status).where(Status.slug.not_in(("idea", "pilot")))):
            status.retired_at = status.edited_at = utcnow()
    admin = add_user(app, "admin-retire@example.se", "admin")
    engine = db.writing_engine(app.extensions["db_engine"])
    checked, go = threading.Event(), threading.Event()
    log = taxonomy_admin.log

    def log_after_the_other(*args, **details):
        if threading.current_thread().name == "first":
            checked.set()
            go.wait(30)
        log(*args, **details)

    monkeypatch.setattr(taxonomy_admin, "log", log_after_the_other)
    refused: list[str] = []

    def retire(slug: str) -> None:
        with Session(engine) as session:
            try:
                taxonomy_admin.retire(session, "statuses", slug, admin)
            except InvalidField as error:
                refused.append(str(error.reason))

    first = threading.Thread(target=retire, args=("idea",), name="first")
    first.start()
    assert checked.wait(30)
    second = threading.Thread(target=retire, args=("pilot",), name="second")
    second.start()
    second.join(3)  # done by now unless it waits for the first, as it should
    go.set()
    first.join(30)
    second.join(30)
    assert refused == ["Keep at least one term of this kind in use."]
    in_use = [slug for slug, term in _taxonomy(client, "statuses").items() if not term["retired"]]
    assert in_use == ["pilot"]


def test_restoring_a_term_another_admin_merges_at_the_same_moment_is_refused(
    app, client, databases, monkeypatch
):
    """A merge of the term comes while a restore of it has checked it but not yet saved:
    the merge waits and comes after, instead of the restore's write putting a term merged
    into another back in use (old links would still send its readers elsewhere)."""
    if databases.backend == "sqlite":
        pytest.skip("SQLite runs one writing transaction at a time (BEGIN IMMEDIATE)")
    admin = add_user(app, "admin-restore@example.se", "admin")
    engine = db.writing_engine(app.extensions["db_engine"])
    with Session(engine) as session:
        taxonomy_admin.retire(session, "technologies", "robotics", admin)
    checked, go = threading.Event(), threading.Event()
    log = taxonomy_admin.log

    def log_after_the_other(*args, **details):
        if threading.current_thread().name == "restore":
            checked.set()
            go.wait(30)
        log(*args, **details)

    monkeypatch.setattr(taxonomy_admin, "log", log_after_the_other)
    refused: list[str] = []

    def restore() -> None:
        with Session(engine) as session:
            try:
                taxonomy_admin.restore(session, "technologies", "robotics", admin)
            except InvalidField as error:
                refused.append(str(error.reason))

    def merge() -> None:
        with Session(engine) as session:
            taxonomy_merge.merge(session, "technologies", "robotics", "digital-twin", admin)

    restoring = threading.Thread(target=restore, name="restore")
    merging = threading.Thread(target=merge, name="merge")
    restoring.start()
    assert checked.wait(30)
    merging.start()
    merging.join(3)  # done by now unless it waits for the restore, as it should
    go.set()
    restoring.join(30)
    merging.join(30)
    robotics = _taxonomy(client, "technologies")["robotics"]
    assert (robotics["retired"], robotics["merged_into"]) == (True, "digital-twin")
    assert refused == []  # restored first, then merged


def test_a_slug_another_admin_adds_at_the_same_moment_is_a_message(
    app, client, login_as, databases, monkeypatch
):
    """The other admin's term with the same slug is saved between this one's check and its
    insert: the form says the slug is taken, not a server error."""
    if databases.backend == "sqlite":
        pytest.skip("SQLite runs one writing transaction at a time (BEGIN IMMEDIATE)")
    login_as("admin")
    checked = taxonomy_admin.TermText.checked

    def checked_while_another_adds(text):
        with Session(app.extensions["db_engine"]) as other, other.begin():
            other.add(Technology(slug="drones", name_sv="Drönare", name_en="Drones", position=99))
        return checked(text)

    monkeypatch.setattr(taxonomy_admin.TermText, "checked", checked_while_another_adds)
    form = {"slug": "drones", "name_sv": "Drönare 2", "name_en": "Drones 2"}
    response = _post(
        client,
        "/admin/taxonomy/technologies?lang=en",
        {f"technologies-{k}": v for k, v in form.items()},
    )
    assert response.status_code == 400
    assert "Another term of this kind has that slug." in response.get_data(as_text=True)
    assert _taxonomy(client, "technologies")["drones"]["name_en"] == "Drones"


def test_descriptions_are_saved_escaped_shown_in_the_api_and_audited(app, client, login_as):
    login_as("admin")
    path = "/admin/taxonomy/areas/education"
    data = {
        "name_sv": "Utbildning",
        "name_en": "Education",
        "description_sv": "Förskola, skola och <script>alert(1)</script>",
        "description_en": "Pre-school and school.",
    }
    assert _post(client, path, data).status_code == 302
    term = _taxonomy(client, "areas")["education"]
    assert (term["description_sv"], term["description_en"]) == (
        data["description_sv"],
        data["description_en"],
    )
    page = client.get(path).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    too_long = _post(client, path + "?lang=en", {**data, "description_en": "x" * 501})
    assert too_long.status_code == 400 and "500 characters" in too_long.get_data(as_text=True)
    assert _taxonomy(client, "areas")["education"]["description_en"] == "Pre-school and school."
    ((subject, detail),) = _audit(app, audit.TERM_CHANGED)
    assert subject == "areas/education"
    assert detail == {
        "description_sv": ["", data["description_sv"]],
        "description_en": ["", data["description_en"]],
    }


def test_adding_and_moving_terms_is_audited(app, client, login_as):
    login_as("admin")
    token = csrf_from(client.get("/admin/users"))
    data = {
        "statuses-slug": "paused",
        "statuses-name_sv": "Pausad",
        "statuses-name_en": "Paused",
        "statuses-description_en": "Work stopped for now.",
        "statuses-csrf_token": token,
    }
    assert client.post("/admin/taxonomy/statuses", data=data).status_code == 302
    assert _taxonomy(client, "statuses")["paused"]["description_en"] == "Work stopped for now."
    assert "paused" in _openapi_enum(client, "status")
    _post(client, "/admin/taxonomy/statuses/paused/move", {"direction": "up"})
    _post(client, "/admin/taxonomy/statuses/paused/move", {"direction": "down"})
    _post(client, "/admin/taxonomy/statuses/paused/move", {"direction": "down"})  # at the end
    added = _audit(app, audit.TERM_ADDED)
    assert added == [
        (
            "statuses/paused",
            {
                "name_sv": "Pausad",
                "name_en": "Paused",
                "description_sv": "",
                "description_en": "Work stopped for now.",
            },
        )
    ]
    moves = [detail["direction"] for _subject, detail in _audit(app, audit.TERM_MOVED)]
    assert moves == ["up", "down"]
    log = client.get("/admin/audit?action=term-moved&lang=en").get_data(as_text=True)
    assert "Taxonomy term moved" in log and "statuses/paused" in log


def test_an_import_naming_a_merged_term_writes_what_it_became(app, client, login_as, tmp_path):
    login_as("admin")
    _post(
        client,
        "/admin/taxonomy/technologies/chatbot/merge",
        {"into": "language-technology", "confirm": "yes"},
    )
    _post(client, "/admin/taxonomy/benefit_areas/safety/retire", {"retired": "1"})
    path = tmp_path / "old.csv"
    path.write_text(
        "title,status,municipalities,technologies,benefit_areas\n"
        "Chattbot för bygglov,pilot,0180,chatbot|language-technology,safety\n"
        "Översättning,pilot,0180,Chatbot and virtual assistant,\n",
        encoding="utf-8",
    )
    result = app.test_cli_runner().invoke(args=["import", str(path)])
    assert result.exit_code == 0, result.output
    with Session(app.extensions["db_engine"]) as s:
        rows = s.scalars(select(Initiative).order_by(Initiative.id)).all()
        assert [[t.slug for t in i.technologies] for i in rows] == [
            ["language-technology"],
            ["language-technology"],
        ]
        # a retired term stays valid in a file, as in an export read back
        assert [t.slug for t in rows[0].benefit_areas] == ["safety"]


def test_a_pstw_case_mapped_to_a_merged_term_gets_what_it_became_once(
    app, client, login_as, tmp_path
):
    login_as("admin")
    _post(
        client,
        "/admin/taxonomy/technologies/generative-ai/merge",
        {"into": "machine-learning", "confirm": "yes"},
    )
    path = pstw_tests.write_csv(tmp_path / "pstw.csv")
    result = app.test_cli_runner().invoke(args=["import-pstw", str(path)])
    assert result.exit_code == 0, result.output
    imported = pstw_tests._imported(app)
    # mapped to generative-ai and machine-learning before the merge: one link now
    assert [t.slug for t in imported["102"].technologies] == ["machine-learning"]
    assert [t.slug for t in imported["101"].technologies] == ["chatbot"]
