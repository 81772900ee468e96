"""The publication workflow's table: every part someone can play × every state × every action,
written out here as a grid so that a change to the table must be made twice to pass."""

import json

import pytest

from kommunkarta.models import Initiative, Municipality, State, User
from kommunkarta.services.errors import Conflict, NotAllowed, NotFound
from kommunkarta.services.register import workflow
from kommunkarta.services.register.workflow import Action

# Columns: the stored states, then a published initiative whose pending edit is a draft,
# waits for review or was rejected, then a new (not stored) initiative.
COLUMNS = ("draft", "submitted", "published", "rejected", "p+draft", "p+submitted", "p+rejected")
NEW = "new"

# action, who, then Y (may) or . (may not) for each column and for new
GRID = """
view              nobody      ....... .
view              inactive    ....... .
view              other       ....... .
view              involved    YYYYYYY .
view              moderator   YYYYYYY .
view              admin       YYYYYYY .
create            nobody      ....... .
create            inactive    ....... .
create            other       ....... Y
create            involved    ....... Y
create            moderator   ....... Y
create            admin       ....... Y
edit              nobody      ....... .
edit              inactive    ....... .
edit              other       ....... .
edit              involved    YYYYYYY .
edit              moderator   YYYYYYY .
edit              admin       YYYYYYY .
submit            nobody      ....... .
submit            inactive    ....... .
submit            other       ....... .
submit            involved    Y..YY.Y .
submit            moderator   Y..YY.Y .
submit            admin       Y..YY.Y .
publish           nobody      ....... .
publish           inactive    ....... .
publish           other       ....... .
publish           involved    ....... .
publish           moderator   .Y...Y. .
publish           admin       .Y...Y. .
publish_directly  nobody      ....... .
publish_directly  inactive    ....... .
publish_directly  other       ....... .
publish_directly  involved    ....... .
publish_directly  moderator   YYYYYYY Y
publish_directly  admin       YYYYYYY Y
reject            nobody      ....... .
reject            inactive    ....... .
reject            other       ....... .
reject            involved    ....... .
reject            moderator   .Y...Y. .
reject            admin       .Y...Y. .
delete            nobody      ....... .
delete            inactive    ....... .
delete            other       ....... .
delete            involved    YY.Y... .
delete            moderator   YYYYYYY .
delete            admin       YYYYYYY .
confirm           nobody      ....... .
confirm           inactive    ....... .
confirm           other       ....... .
confirm           involved    ..Y.YYY .
confirm           moderator   ..Y.YYY .
confirm           admin       ..Y.YYY .
handle_reports    nobody      ....... .
handle_reports    inactive    ....... .
handle_reports    other       ....... .
handle_reports    involved    YYYYYYY .
handle_reports    moderator   YYYYYYY .
handle_reports    admin       YYYYYYY .
adopt             nobody      ....... .
adopt             inactive    ....... .
adopt             other       ..Y.YYY .
adopt             involved    ..Y.YYY .
adopt             moderator   ....... .
adopt             admin       ....... .
moderate          nobody      ....... .
moderate          inactive    ....... .
moderate          other       ....... .
moderate          involved    ....... .
moderate          moderator   YYYYYYY Y
moderate          admin       YYYYYYY Y
"""


def _user(who):
    return {
        "nobody": None,
        "inactive": User(
            role="coordinator", active=False, municipalities=[Municipality(code="0180")]
        ),
        "other": User(role="coordinator", active=True, municipalities=[Municipality(code="1480")]),
        "involved": User(
            role="coordinator", active=True, municipalities=[Municipality(code="0180")]
        ),
        "moderator": User(role="moderator", active=True, municipalities=[]),
        "admin": User(role="admin", active=True, municipalities=[]),
    }[who]


def _initiative(column):
    if column == NEW:
        return None
    state, _, pending_state = column.partition("+")
    state = {"p": "published"}.get(state, state)
    return Initiative(
        state=state,
        pending_state=pending_state or None,
        pending=json.dumps({"title": "t"}) if pending_state else None,
        municipalities=[Municipality(code="0180")],
        moderation_note="",
    )


def _cases():
    rows = [line.split() for line in GRID.strip().splitlines()]
    for action, who, stored, new in rows:
        for column, mark in zip((*COLUMNS, NEW), stored + new, strict=True):
            yield pytest.param(action, who, column, mark == "Y", id=f"{action}-{who}-{column}")


def test_the_grid_covers_every_action_and_part():
    rows = {tuple(line.split()[:2]) for line in GRID.strip().splitlines()}
    parts = ("nobody", "inactive", "other", "involved", "moderator", "admin")
    assert rows == {(action.value, who) for action in Action for who in parts}


@pytest.mark.parametrize(("action", "who", "column", "allowed"), list(_cases()))
def test_workflow_table(action, who, column, allowed):
    assert workflow.can(_user(who), action, _initiative(column)) is allowed


def test_a_pending_edit_involves_the_municipalities_it_adds():
    initiative = _initiative("p+draft")
    initiative.pending = json.dumps({"title": "t", "municipalities": ["0180", "1480"]})
    assert workflow.can(_user("other"), Action.VIEW, initiative)


def test_refusals_say_not_found_not_allowed_or_conflict():
    draft, published = _initiative("draft"), _initiative("published")
    with pytest.raises(NotFound):  # may not learn that a draft exists
        workflow.require_actor(_user("other"), Action.VIEW, draft)
    with pytest.raises(NotAllowed):  # sees it, may never do it
        workflow.require_actor(_user("other"), Action.EDIT, published)
    with pytest.raises(NotAllowed):
        workflow.require_actor(_user("involved"), Action.PUBLISH, _initiative("submitted"))
    assert workflow.require_actor(_user("moderator"), Action.PUBLISH, draft) is draft
    with pytest.raises(Conflict) as raised:  # may publish, but nothing waits
        workflow.require_state(_user("moderator"), Action.PUBLISH, draft)
    assert "not waiting" in str(raised.value.message)
    with pytest.raises(NotAllowed):  # what the public has seen stays unless staff remove it
        workflow.require_state(_user("involved"), Action.DELETE, published)
    with pytest.raises(NotAllowed):
        workflow.require_user(_user("involved"), Action.MODERATE)
    assert workflow.require_user(_user("involved"), Action.CREATE).role == "coordinator"


@pytest.mark.parametrize(
    ("column", "label", "public", "pending", "reason"),
    [
        ("draft", "Draft", False, False, ""),
        ("submitted", "Waiting for review", False, False, ""),
        ("rejected", "Rejected", False, False, "Saknar nytta"),
        ("published", "Published", True, False, ""),
        ("p+submitted", "Waiting for review", True, True, ""),
        ("p+rejected", "Rejected", True, True, "Saknar nytta"),
    ],
)
def test_what_pages_show_of_a_state(column, label, public, pending, reason):
    initiative = _initiative(column)
    initiative.moderation_note = "Saknar nytta"  # kept after resubmitting; shown only if rejected
    assert workflow.state_label(initiative) == label
    assert workflow.is_public(initiative) is public
    assert workflow.changes_pending(initiative) is pending
    assert workflow.rejection_reason(initiative) == reason


def test_every_state_has_one_label_and_the_moves_lead_where_their_names_say():
    assert set(workflow.STATE_LABELS) == set(State)
    assert workflow.target(Action.SUBMIT) == State.SUBMITTED
    assert workflow.target(Action.PUBLISH) == State.PUBLISHED
    assert workflow.target(Action.REJECT) == State.REJECTED


def test_only_municipalities_not_taking_part_may_adopt():
    coordinator = User(
        role="coordinator",
        active=True,
        municipalities=[Municipality(code="0180"), Municipality(code="1480")],
    )
    assert workflow.adopting_codes(coordinator, _initiative("published")) == ["1480"]
    assert workflow.adopting_codes(coordinator, _initiative("draft")) == []
    assert workflow.adopting_codes(_user("moderator"), _initiative("published")) == []
