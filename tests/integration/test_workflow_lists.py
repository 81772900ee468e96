"""The lists that sort and select by the working copy's state, in SQL, on both databases:
"my initiatives" puts what needs the coordinator first, the moderation queue holds what a
moderator can publish, and both agree with the workflow's table."""

from __future__ import annotations

from dataclasses import replace

from kommunkarta.models import Initiative, User
from kommunkarta.services.register import moderation, submissions, workflow
from kommunkarta.services.register.content import Content
from kommunkarta.services.register.submissions import Intent
from kommunkarta.services.register.workflow import Action
from tests.conftest import add_user

CONTENT = Content(
    title="Chattbot för bygglov",
    summary="Svarar på frågor om bygglov.",
    status="pilot",
    municipalities=("0180",),
    benefit_areas=("efficiency",),
    contact="ai@stockholm.se",
)


def test_lists_follow_the_working_copys_state(app, session, geo):
    ids = (
        add_user(app, "c@example.se", "coordinator").id,
        add_user(app, "m@example.se", "moderator").id,
    )
    coordinator, moderator = (session.get(User, user_id) for user_id in ids)

    def new(name: str, intent: Intent) -> int:
        content = replace(CONTENT, title=name)
        return submissions.create(session, content, coordinator, intent, geo).id

    def publish(initiative_id: int) -> None:
        version = session.get_one(Initiative, initiative_id).version
        moderation.publish(session, initiative_id, version, moderator, geo)

    def reject(initiative_id: int) -> None:
        version = session.get_one(Initiative, initiative_id).version
        moderation.reject(session, initiative_id, version, "Beskriv nyttan.", moderator)

    def edit(initiative_id: int, intent: Intent) -> None:
        version = session.get_one(Initiative, initiative_id).version
        content = replace(CONTENT, title=f"Ändrad {initiative_id}")
        submissions.update(session, initiative_id, content, version, coordinator, intent, geo)

    draft = new("Utkast", Intent.DRAFT)
    submitted = new("Inskickad", Intent.SUBMIT)
    rejected = new("Avvisad", Intent.SUBMIT)
    reject(rejected)
    published, edit_draft, edit_waiting, edit_rejected = (
        new(name, Intent.SUBMIT) for name in ("Publicerad", "Ändrar", "Väntar", "Tillbaka")
    )
    for initiative_id in (published, edit_draft, edit_waiting, edit_rejected):
        publish(initiative_id)
    edit(edit_draft, Intent.DRAFT)
    edit(edit_waiting, Intent.SUBMIT)
    edit(edit_rejected, Intent.SUBMIT)
    reject(edit_rejected)

    mine = submissions.mine(session, coordinator).items
    assert [i.review_state for i in mine] == [
        "rejected",
        "rejected",
        "draft",
        "draft",
        "submitted",
        "submitted",
        "published",
    ]
    assert {i.id for i in mine[:2]} == {rejected, edit_rejected}
    assert {i.id for i in mine[2:4]} == {draft, edit_draft}
    assert mine[-1].id == published

    waiting = {item.initiative.id for item in moderation.queue(session, moderator).items}
    assert waiting == {submitted, edit_waiting}
    publishable = {i.id for i in mine if workflow.can(moderator, Action.PUBLISH, i)}
    assert publishable == waiting
