"""Coverage, freshness and adoption on both databases: state transitions with fixed clocks,
the review list and "still correct", "we have none", "we do this too", and what the map, the
counts API, the statistics, the API item and the exports show of them."""

from __future__ import annotations

import csv
import io
import json
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from kommunkarta import geo
from kommunkarta.models import Initiative, Revision
from kommunkarta.services.register import coverage, freshness
from kommunkarta.services.register.coverage import CoverageState
from tests.conftest import add_user, csrf_from
from tests.integration.helpers import map_config
from tests.integration.upkeep_data import (
    LONG_AGO,
    NOW,
    RECENTLY,
    adopted,
    counts,
    none_confirmed,
    published,
    reported,
)

STOCKHOLM, GOTHENBURG, MALMO, KIRUNA, UPPSALA = "0180", "1480", "1280", "2584", "0380"


def _states(app, now=NOW, months=12) -> dict[str, CoverageState]:
    with Session(app.extensions["db_engine"]) as s:
        return {row.code: row.state for row in coverage.municipalities(s, now, months)}


def test_coverage_moves_through_its_states_as_time_passes(app):
    """Every transition, with the clock standing still between writes."""
    assert set(_states(app).values()) == {CoverageState.UNKNOWN}  # nothing reported yet
    old = published(app, [STOCKHOLM], changed=LONG_AGO, confirmed=LONG_AGO)
    published(app, [GOTHENBURG], changed=RECENTLY, confirmed=RECENTLY)
    published(app, [MALMO], changed=RECENTLY, state="draft")  # drafts are not public
    none_confirmed(app, KIRUNA, RECENTLY)
    none_confirmed(app, UPPSALA, LONG_AGO)
    states = _states(app)
    assert states[STOCKHOLM] == CoverageState.STALE
    assert states[GOTHENBURG] == CoverageState.REPORTS
    assert states[MALMO] == CoverageState.UNKNOWN
    assert states[KIRUNA] == CoverageState.CONFIRMED_NONE
    assert states[UPPSALA] == CoverageState.STALE
    with Session(app.extensions["db_engine"]) as s:
        assert coverage.summary(s, NOW, 12).counts == {
            CoverageState.REPORTS: 1,
            CoverageState.CONFIRMED_NONE: 1,
            CoverageState.STALE: 2,
            CoverageState.UNKNOWN: 286,
        }
    # a year on, what was fresh has gone stale; a longer threshold keeps it fresh
    later = NOW + timedelta(days=366)
    assert _states(app, later)[GOTHENBURG] == CoverageState.STALE
    assert _states(app, later)[KIRUNA] == CoverageState.STALE
    assert _states(app, later, months=24)[GOTHENBURG] == CoverageState.REPORTS
    # a coordinator's "still correct" makes Stockholm report again
    with Session(app.extensions["db_engine"]) as s:
        user = add_user(app, "samordnare@stockholm.se", "coordinator", [STOCKHOLM])
        freshness.confirm(s, old, s.merge(user), NOW)
    assert _states(app)[STOCKHOLM] == CoverageState.REPORTS
    # adopting someone's initiative counts as reporting for the adopter
    adopted(app, old, MALMO, confirmed=NOW)
    assert _states(app)[MALMO] == CoverageState.REPORTS


def test_confirm_none_records_the_date_and_refuses_a_municipality_with_initiatives(
    app, client, login_as
):
    published(app, [STOCKHOLM])
    login_as("coordinator", (STOCKHOLM, KIRUNA))
    token = csrf_from(client.get("/needs-review"))
    before = counts(app)
    refused = client.post(
        f"/municipalities/{STOCKHOLM}/confirm-none?lang=en", data={"csrf_token": token}
    )
    assert refused.status_code == 400
    assert "has published initiatives, so it cannot confirm that it has none" in refused.get_data(
        as_text=True
    )
    assert counts(app) == before
    done = client.post(f"/municipalities/{KIRUNA}/confirm-none", data={"csrf_token": token})
    assert done.status_code == 302
    assert _states(app, NOW.replace(year=2027) - timedelta(days=300))[KIRUNA] == (
        CoverageState.CONFIRMED_NONE
    )
    assert client.post(f"/municipalities/{KIRUNA}/confirm-none").status_code == 400  # no CSRF
    assert client.post("/municipalities/12/confirm-none", data={"csrf_token": token}).status_code
    assert counts(app)["none_confirmations"] == 1


def test_the_review_list_and_still_correct_in_one_click(app, client, login_as):
    stale = published(app, [STOCKHOLM], changed=LONG_AGO, confirmed=LONG_AGO, title="Gammal")
    published(app, [STOCKHOLM], changed=RECENTLY, confirmed=RECENTLY, title="Färsk")
    published(app, [GOTHENBURG], changed=LONG_AGO, title="Någon annans")
    login_as("coordinator", (STOCKHOLM,))
    page = client.get("/needs-review?lang=en")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert ">Gammal</span></a>" in html and "Färsk" not in html and "Någon annans" not in html
    assert "1 item needs review" in client.get("/initiatives/mine?lang=en").get_data(as_text=True)
    with Session(app.extensions["db_engine"]) as s:
        version = s.get(Initiative, stale).version
    response = client.post(f"/initiatives/{stale}/confirm", data={"csrf_token": csrf_from(page)})
    assert response.status_code == 302
    after = client.get("/needs-review").get_data(as_text=True)
    assert "“Gammal”" in after  # the message says what was confirmed
    assert ">Gammal</span></a>" not in after  # and it has left the list
    assert "Initiatives (0)" in client.get("/needs-review?lang=en").get_data(as_text=True)
    assert "0 items need review" in client.get("/initiatives/mine?lang=en").get_data(as_text=True)
    with Session(app.extensions["db_engine"]) as s:
        row = s.get(Initiative, stale)
        assert freshness.aware(row.last_confirmed_at) > NOW  # the real clock of the request
        assert row.version == version  # an open edit elsewhere does not become a conflict
        revision = s.scalar(select(Revision).where(Revision.initiative_id == stale))
        assert revision.action == "confirmed"
        assert list(json.loads(revision.changes)) == ["last_confirmed_at"]
    history = client.get(f"/initiatives/{stale}/history?lang=en").get_data(as_text=True)
    assert "Confirmed as still correct" in history


def test_moderators_see_every_stale_item_and_the_municipalities_to_follow_up(app, client, login_as):
    published(app, [STOCKHOLM], changed=LONG_AGO, title="Stockholms gamla")
    published(app, [GOTHENBURG], changed=LONG_AGO, title="Göteborgs gamla")
    published(app, [MALMO], changed=RECENTLY, title="Malmös nya")
    login_as("moderator")
    html = client.get("/needs-review?lang=en").get_data(as_text=True)
    assert "Stockholms gamla" in html and "Göteborgs gamla" in html
    assert "Malmös nya" not in html
    assert "Initiatives (2)" in html
    assert "Kiruna" in html  # unknown: to follow up, with a button to confirm none
    assert f"/municipalities/{KIRUNA}/confirm-none" in html
    assert f"/municipalities/{MALMO}/confirm-none" not in html  # reports initiatives
    queue = client.get("/moderation?lang=en").get_data(as_text=True)
    assert ">Needs review</a>" in queue


def _adopt_form(client, initiative_id: int, **fields) -> dict:
    token = csrf_from(client.get(f"/initiatives/{initiative_id}/adopt"))
    return {"csrf_token": token, "status": "pilot", "start_year": "2025", "note": "", **fields}


def test_adopting_counts_on_the_map_and_in_the_api_alike(app, client, login_as):
    own = published(app, [STOCKHOLM], title="Stockholms chattbot")
    login_as("coordinator", (GOTHENBURG,))
    page = client.get(f"/initiatives/{own}?lang=en").get_data(as_text=True)
    assert "Does your municipality do this too?" in page
    form = _adopt_form(client, own, municipality=GOTHENBURG, note="Vi kör den <b>också</b>")
    response = client.post(f"/initiatives/{own}/adopt", data=form)
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get(f"/initiatives/{own}?lang=en").get_data(as_text=True)
    assert "Göteborg" in page and "adopted" in page
    assert "Vi kör den &lt;b&gt;också&lt;/b&gt;" in page  # escaped
    assert "Does your municipality do this too?" not in page  # Göteborg has adopted it

    counts_api = {m["code"]: m["count"] for m in client.get("/api/v1/municipalities").get_json()}
    assert (counts_api[GOTHENBURG], counts_api[STOCKHOLM]) == (1, 1)
    config = map_config(client.get("/?lang=en").get_data(as_text=True))
    with app.app_context():  # the map's figures come in code order
        codes = sorted(geo.current().municipalities)
    counts = dict(zip(codes, config["valuesInCodeOrder"], strict=True))
    assert (counts[GOTHENBURG], counts[STOCKHOLM]) == (1, 1)
    listed = client.get(f"/api/v1/initiatives?municipality={GOTHENBURG}").get_json()
    assert listed["total"] == 1  # the map's panel lists what the map counts
    assert listed["items"][0]["adopted_by"] == [
        {"code": GOTHENBURG, "name": "Göteborg", "status": "pilot", "start_year": 2025}
    ]
    regions = {r["code"]: r for r in client.get("/api/v1/regions").get_json()}
    assert (regions["14"]["count"], regions["14"]["municipalities_with_initiatives"]) == (1, 1)
    assert (regions["01"]["count"], regions["01"]["municipalities_with_initiatives"]) == (1, 1)
    municipality_page = client.get(f"/municipalities/{GOTHENBURG}").get_data(as_text=True)
    assert "Stockholms chattbot" in municipality_page


def test_adopting_twice_or_your_own_is_refused_with_nothing_stored(app, client, login_as):
    own = published(app, [STOCKHOLM, MALMO])
    adopted(app, own, GOTHENBURG)
    login_as("coordinator", (GOTHENBURG, MALMO))
    token = csrf_from(client.get("/needs-review"))
    before = counts(app)
    twice = client.post(
        f"/initiatives/{own}/adopt?lang=en",
        data={"csrf_token": token, "municipality": GOTHENBURG, "status": "pilot"},
    )
    assert twice.status_code == 400
    assert "Göteborg has adopted this initiative already." in twice.get_data(as_text=True)
    assert counts(app) == before
    # Malmö takes part: the form offers nothing, and posting it anyway is refused
    own_try = client.post(
        f"/initiatives/{own}/adopt?lang=en",
        data={"csrf_token": token, "municipality": MALMO, "status": "pilot"},
    )
    assert own_try.status_code == 400
    assert counts(app) == before
    bad = {"csrf_token": token, "municipality": GOTHENBURG, "status": "nonsense"}
    assert client.post(f"/initiatives/{own}/adopt", data=bad).status_code == 400
    assert counts(app) == before


def test_adopt_form_problems_are_messages(app, client, login_as):
    own = published(app, [STOCKHOLM])
    login_as("coordinator", (GOTHENBURG,))
    before = counts(app)
    for fields, message in (
        ({"start_year": "1800"}, "Give a year from 1990"),
        ({"note": "x" * 301}, "longer than 300"),
        ({"status": ""}, "Choose a status"),
    ):
        form = _adopt_form(client, own, municipality=GOTHENBURG, **fields)
        response = client.post(f"/initiatives/{own}/adopt?lang=en", data=form)
        assert response.status_code == 400
        assert message in response.get_data(as_text=True)
    assert counts(app) == before


def test_coverage_view_of_the_map_and_the_statistics(app, client):
    published(app, [STOCKHOLM], changed=RECENTLY, confirmed=RECENTLY)
    published(app, [GOTHENBURG], changed=LONG_AGO, confirmed=LONG_AGO)
    none_confirmed(app, KIRUNA, NOW)
    response = client.get("/?view=coverage&lang=en")
    assert response.status_code == 200
    config = map_config(response.get_data(as_text=True))
    assert config["view"] == "coverage"
    assert config["coverage"][STOCKHOLM][0] == "reports"
    assert config["coverage"][GOTHENBURG] == ["stale", "2 May 2024"]  # LONG_AGO, in English
    assert config["coverage"][KIRUNA][0] == "none"
    assert config["coverage"][MALMO] == ["unknown", ""]
    looks = {s["key"]: s for s in config["coverageStates"]}
    assert set(looks) == {"reports", "none", "unknown", "stale"}
    assert len({(s["fill"], s["dash"], s["hatch"]) for s in looks.values()}) == 4
    assert len({s["dash"] for s in looks.values()}) == 4  # not colour alone
    html = response.get_data(as_text=True)
    # the municipalities with initiatives first, as /stats and the map count them
    line = (
        "2 of 290 municipalities have published initiatives, 1 of them confirmed or updated in "
        "the last 12 months; 1 said they have none; 287 unknown"
    )
    assert line in html
    assert html.count('data-state="unknown"') == 287  # the table alternative
    assert 'name="view" value="coverage"\n    checked' in html or 'value="coverage"' in html
    stats = client.get("/stats?lang=en").get_data(as_text=True)
    assert line in stats
    assert client.get("/?view=nonsense").status_code == 400
    assert "view=coverage" in client.get("/stats").get_data(as_text=True)


def test_last_confirmed_in_the_page_the_api_item_and_the_exports(app, client):
    fresh = published(app, [STOCKHOLM], changed=LONG_AGO, confirmed=RECENTLY)
    never = published(app, [STOCKHOLM], changed=LONG_AGO, title="Aldrig bekräftad")
    page = client.get(f"/initiatives/{fresh}?lang=en").get_data(as_text=True)
    assert "Last confirmed" in page and RECENTLY.date().isoformat() in page
    stale_page = client.get(f"/initiatives/{never}?lang=en").get_data(as_text=True)
    assert (
        "Not yet confirmed" in stale_page and "not confirmed or updated for over 12" in stale_page
    )
    item = client.get(f"/api/v1/initiatives/{fresh}").get_json()
    assert item["last_confirmed_at"] == RECENTLY.isoformat()
    assert client.get(f"/api/v1/initiatives/{never}").get_json()["last_confirmed_at"] is None
    rows = list(csv.DictReader(io.StringIO(client.get("/export.csv").get_data(as_text=True))))
    by_id = {int(r["\ufeffid" if "\ufeffid" in r else "id"]): r for r in rows}
    assert by_id[fresh]["last_confirmed_at"] == RECENTLY.isoformat()
    assert by_id[never]["last_confirmed_at"] == ""
    features = client.get("/export.geojson").get_json()["features"]
    assert {f["properties"]["last_confirmed_at"] for f in features} == {
        RECENTLY.isoformat(),
        None,
    }


def test_publishing_counts_as_confirming(app, client, login_as):
    draft = published(app, [STOCKHOLM], changed=LONG_AGO, state="submitted")
    login_as("moderator")
    with Session(app.extensions["db_engine"]) as s:
        version = s.get(Initiative, draft).version
    token = csrf_from(client.get(f"/initiatives/{draft}/review"))
    response = client.post(
        f"/initiatives/{draft}/publish", data={"csrf_token": token, "version": version}
    )
    assert response.status_code == 302
    with Session(app.extensions["db_engine"]) as s:
        assert s.get(Initiative, draft).last_confirmed_at is not None


def test_deleting_an_initiative_takes_its_adoptions_and_reports_with_it(app, client, login_as):
    initiative_id = published(app, [STOCKHOLM])
    adopted(app, initiative_id, GOTHENBURG)
    reported(app, initiative_id)
    login_as("admin")
    client.get(f"/initiatives/{initiative_id}")  # the public page loads its adopters
    with Session(app.extensions["db_engine"]) as s:
        version = s.get(Initiative, initiative_id).version
    token = csrf_from(client.get(f"/initiatives/{initiative_id}/review"))
    response = client.post(
        f"/initiatives/{initiative_id}/delete", data={"csrf_token": token, "version": version}
    )
    assert response.status_code == 302
    assert counts(app)["adoptions"] == 0 and counts(app)["reports"] == 0
