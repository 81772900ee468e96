"""The audit trail: sign-ins, account changes, imports, publications and rejections are
logged with who, when and from where, kept twelve months, and read by admins only at
/admin/audit, paged and filtered."""

import csv
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta.models import AuditEntry, OrganisationAlias, User, utcnow
from kommunkarta.services import accounts, audit
from kommunkarta.services.data_io import organisations
from tests.conftest import PASSWORD, add_user, csrf_from
from tests.integration.test_submissions import _create, _post, _version


def _entries(app, action=None) -> list[AuditEntry]:
    with Session(app.extensions["db_engine"]) as s:
        query = select(AuditEntry).order_by(AuditEntry.id)
        if action:
            query = query.where(AuditEntry.action == action)
        return list(s.scalars(query))


def _sign_in(client, email, password):
    token = csrf_from(client.get("/login"))
    return client.post("/login", data={"email": email, "password": password, "csrf_token": token})


def test_sign_ins_failed_and_successful_and_signing_out_are_logged(app, client):
    user = add_user(app, "ann@example.se", "moderator")
    assert _sign_in(client, "Ann@Example.se", "wrong password").status_code == 400
    assert _sign_in(client, "nobody@example.se", "wrong password").status_code == 400
    assert _sign_in(client, "ann@example.se", PASSWORD).status_code == 302
    client.post("/logout", data={"csrf_token": csrf_from(client.get("/initiatives/mine"))})
    got = [(e.action, e.email, e.user_id, e.address) for e in _entries(app)]
    assert got == [
        ("sign-in-failed", "ann@example.se", None, "127.0.0.1"),
        ("sign-in-failed", "nobody@example.se", None, "127.0.0.1"),
        ("sign-in", "ann@example.se", user.id, "127.0.0.1"),
        ("sign-out", "ann@example.se", user.id, "127.0.0.1"),
    ]
    assert all(e.at is not None for e in _entries(app))


def test_account_changes_are_logged_with_the_admin_who_made_them(app, client, login_as):
    admin = login_as("admin")
    other = add_user(app, "bo@example.se", "coordinator")
    token = csrf_from(client.get("/admin/users"))
    response = client.post(
        f"/admin/users/{other.id}/active", data={"active": "0", "csrf_token": token}
    )
    assert response.status_code == 302
    (entry,) = _entries(app, audit.ACCOUNT_CHANGED)
    assert (entry.email, entry.user_id, entry.subject) == (admin.email, admin.id, "bo@example.se")
    assert audit.details(entry) == {"active": [True, False]}


def test_publications_and_rejections_are_logged(app, client, login_as):
    login_as("coordinator")
    first = _create(client, submit_review="Submit", save_draft=None)
    second = _create(
        client, title="Bildanalys av vägskador", submit_review="Submit", save_draft=None
    )
    moderator = app.test_client()
    who = login_as("moderator", on=moderator)
    response = _post(moderator, f"/initiatives/{first}/publish", {"version": _version(app, first)})
    assert response.status_code == 302
    reason = "Beskriv nyttan."
    response = _post(
        moderator,
        f"/initiatives/{second}/reject",
        {"version": _version(app, second), "reason": reason},
    )
    assert response.status_code == 302
    published, rejected = _entries(app, audit.PUBLISH), _entries(app, audit.REJECT)
    assert [(e.email, e.subject) for e in published] == [(who.email, f"initiative {first}")]
    assert [(e.email, e.subject) for e in rejected] == [(who.email, f"initiative {second}")]
    assert audit.details(rejected[0]) == {"reason": reason}


def test_an_import_is_logged_and_a_dry_run_is_not(app, runner, tmp_path):
    path = tmp_path / "two.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(
            [
                ["title", "status", "municipalities"],
                ["Ett", "pilot", "0180"],
                ["Två", "idea", "0180"],
            ]
        )
    assert runner.invoke(args=["import", str(path), "--dry-run"]).exit_code == 0
    assert _entries(app, audit.IMPORT) == []
    assert runner.invoke(args=["import", str(path)]).exit_code == 0
    (entry,) = _entries(app, audit.IMPORT)
    assert (entry.subject, entry.address, entry.user_id) == ("two.csv", "command line", None)
    assert audit.details(entry) == {"kind": "import", "new": 2, "changed": 0}


def test_entries_older_than_twelve_months_are_dropped(app):
    with Session(app.extensions["db_engine"]) as s:
        now = utcnow()
        audit.record(s, audit.SIGN_OUT, email="old@example.se", now=now - timedelta(days=400))
        audit.record(s, audit.SIGN_OUT, email="year@example.se", now=now - timedelta(days=360))
        s.commit()
        audit.record(s, audit.SIGN_OUT, email="new@example.se", now=now)
        s.commit()
    assert [e.email for e in _entries(app)] == ["year@example.se", "new@example.se"]


def test_only_admins_read_the_log(app, client, login_as):
    assert client.get("/admin/audit").status_code == 302  # to the sign-in page
    login_as("moderator")
    assert client.get("/admin/audit").status_code == 403


def test_the_log_is_paged_filtered_and_escaped(app, client, login_as):
    login_as("admin")
    with Session(app.extensions["db_engine"]) as s:
        for number in range(60):
            audit.record(s, audit.SIGN_IN_FAILED, email=f"x{number}@example.se")
        audit.record(s, audit.REJECT, email="<b>eve</b>@example.se", detail={"reason": "<script>"})
        s.commit()
    first = client.get("/admin/audit?lang=en&action=sign-in-failed")
    assert first.status_code == 200
    html = first.get_data(as_text=True)
    assert "60 entries." in html and "Page 1 of 2" in html
    assert "x59@example.se" in html and "x9@example.se" not in html  # newest first
    assert "action=sign-in-failed&amp;page=2" in html
    second = client.get("/admin/audit?lang=en&action=sign-in-failed&page=2").get_data(as_text=True)
    assert "x9@example.se" in second and "x59@example.se" not in second
    one = client.get("/admin/audit?lang=en&account=X17@").get_data(as_text=True)
    assert "1 entry." in one and "x17@example.se" in one
    rejected = client.get("/admin/audit?lang=en&action=reject").get_data(as_text=True)
    assert "&lt;b&gt;eve&lt;/b&gt;@example.se" in rejected and "<script>" not in rejected
    swedish = client.get("/admin/audit?lang=sv").get_data(as_text=True)
    assert "Händelselogg" in swedish and "Misslyckad inloggning" in swedish


@pytest.mark.parametrize("query", ["action=delete-everything", "page=0", "page=x"])
def test_bad_parameters_are_400(client, login_as, query):
    login_as("admin")
    response = client.get(f"/admin/audit?{query}")
    assert response.status_code == 400
    assert "Traceback" not in response.get_data(as_text=True)


def _waiting(app, email: str) -> int:
    """An account an organisation sign-in made, waiting for an admin."""
    with Session(app.extensions["db_engine"]) as s, s.begin():
        user = s.get_one(User, add_user(app, email, "coordinator").id)
        user.awaiting_approval, user.active = True, False
        return user.id


def test_approving_and_refusing_waiting_accounts_are_logged(app, client, login_as):
    admin = login_as("admin")
    approved, refused = _waiting(app, "cia@kungsbacka.se"), _waiting(app, "dan@example.se")
    token = csrf_from(client.get(f"/admin/users/{approved}/approve"))
    response = client.post(
        f"/admin/users/{approved}/approve",
        data={"role": "coordinator", "municipalities": ["1384"], "csrf_token": token},
    )
    assert response.status_code == 302
    client.post(f"/admin/users/{refused}/refuse", data={"csrf_token": token})
    (entry,) = _entries(app, audit.ACCOUNT_APPROVED)
    assert (entry.email, entry.subject) == (admin.email, "cia@kungsbacka.se")
    assert audit.details(entry) == {"role": "coordinator", "municipalities": ["1384"]}
    (entry,) = _entries(app, audit.ACCOUNT_REFUSED)
    assert (entry.email, entry.subject) == (admin.email, "dan@example.se")
    page = client.get("/admin/audit?action=account-approved&lang=en").get_data(as_text=True)
    assert "Account approved" in page and "cia@kungsbacka.se" in page


def test_a_moderators_decision_about_an_organisation_name_is_logged(app, client, login_as):
    moderator = login_as("moderator")
    token = csrf_from(client.get("/moderation/organisations"))
    for name, choice in (("City of Gothenburg", "1480"), ("Volvo Cars", "none")):
        response = client.post(
            "/moderation/organisations",
            data={"name": name, "choice": choice, "csrf_token": token},
        )
        assert response.status_code == 302
    bad = client.post(
        "/moderation/organisations",
        data={"name": "Gotham", "choice": "9999", "csrf_token": token},
    )
    assert bad.status_code == 400
    got = [(e.email, e.subject, audit.details(e)) for e in _entries(app, audit.ALIAS_DECIDED)]
    assert got == [
        (moderator.email, "City of Gothenburg", {"municipality": "1480"}),
        (moderator.email, "Volvo Cars", {"municipality": "none"}),
    ]


def test_a_changed_term_reads_in_its_own_letters_and_escaped(app, client, login_as):
    login_as("admin")
    token = csrf_from(client.get("/admin/taxonomy/statuses/idea"))
    response = client.post(
        "/admin/taxonomy/statuses/idea",
        data={"name_sv": "Idé <b>ny</b>", "name_en": "Idea", "csrf_token": token},
    )
    assert response.status_code == 302
    page = client.get("/admin/audit?action=term-changed&lang=en").get_data(as_text=True)
    assert "name_sv: [&#34;Idé&#34;, &#34;Idé &lt;b&gt;ny&lt;/b&gt;&#34;]" in page
    assert "\\u00e9" not in page and "<b>ny" not in page


def test_two_moderators_deciding_one_name_at_once_keep_the_later_decision(
    app, client, login_as, databases, monkeypatch
):
    """The other moderator's decision about the same name is saved between this one's look
    for an earlier decision and its insert: this later one replaces it, as a later decision
    does, instead of a server error."""
    if databases.backend == "sqlite":
        pytest.skip("SQLite runs one writing transaction at a time (BEGIN IMMEDIATE)")
    login_as("moderator")
    plain = organisations.plain("City of Gothenburg")
    record, others = audit.record, [plain]

    def record_after_another_decides(*args, **kwargs):
        if others:
            with Session(app.extensions["db_engine"]) as other, other.begin():
                other.add(OrganisationAlias(name=others.pop(), municipality_code=None))
        return record(*args, **kwargs)

    monkeypatch.setattr(audit, "record", record_after_another_decides)
    token = csrf_from(client.get("/moderation/organisations"))
    response = client.post(
        "/moderation/organisations",
        data={"name": "City of Gothenburg", "choice": "1480", "csrf_token": token},
    )
    assert response.status_code == 302
    with Session(app.extensions["db_engine"]) as s:
        assert s.get_one(OrganisationAlias, plain).municipality_code == "1480"


@pytest.mark.parametrize(("other", "status"), [("approved", 400), ("refused", 404)])
def test_approving_an_account_another_admin_decided_a_moment_ago(
    app, client, login_as, databases, monkeypatch, other, status
):
    """The other admin's approval or refusal is saved between this one's read of the
    waiting account and its own decision: a message or a 404, not a server error."""
    if databases.backend == "sqlite":
        pytest.skip("SQLite runs one writing transaction at a time (BEGIN IMMEDIATE)")
    login_as("admin")
    waiting = _waiting(app, "eva@kungsbacka.se")
    token = csrf_from(client.get(f"/admin/users/{waiting}/approve"))
    get_user, pending = accounts.get_user, [waiting]

    def get_user_then_another_decides(*args):
        user = get_user(*args)
        if pending:
            with Session(app.extensions["db_engine"]) as s, s.begin():
                found = s.get_one(User, pending.pop())
                if other == "refused":
                    s.delete(found)
                else:
                    found.awaiting_approval, found.active = False, True
        return user

    monkeypatch.setattr(accounts, "get_user", get_user_then_another_decides)
    response = client.post(
        f"/admin/users/{waiting}/approve?lang=en",
        data={"role": "coordinator", "municipalities": ["1384"], "csrf_token": token},
    )
    assert response.status_code == status
    assert _entries(app, audit.ACCOUNT_APPROVED) == []
