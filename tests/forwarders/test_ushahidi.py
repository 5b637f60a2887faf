"""The Ushahidi forwarder against a local fake of the platform's v5 API."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scrubber.location import coarsen_location
from tests.forwarders.fake_ushahidi import CLIENT_ID, CLIENT_SECRET, PASSWORD, USERNAME, FakeUshahidi
from tests.harness import Harness, make_harness

MONTERREY = {"lat": 25.686614, "lon": -100.316113}


@pytest.fixture
def platform() -> Iterator[FakeUshahidi]:
    fake = FakeUshahidi().start()
    yield fake
    fake.stop()


def destination(platform: FakeUshahidi, **extra: Any) -> dict[str, Any]:
    return {"name": "mapa", "type": "ushahidi", "url": platform.url, "survey_id": 3, "client_id": CLIENT_ID,
            "secret": CLIENT_SECRET, "username": USERNAME, "password": PASSWORD, "batch_min": 1,
            "batch_interval_s": 0, "location_precision_m": 1000, "time_precision": "hour", **extra}


@pytest.fixture
def harness(tmp_path: Path, platform: FakeUshahidi) -> Iterator[Harness]:
    h = make_harness(tmp_path, [destination(platform)])
    yield h
    h.close()


def test_posts_land_in_the_survey_coarsened_and_without_the_pseudonym(harness: Harness, platform: FakeUshahidi) -> None:
    harness.submit("Retén en Constitución, llámame al 81 1234 5678", location=MONTERREY,
                   occurred_at="2026-11-20T22:47:13-06:00", category="checkpoint", place="Av. Constitución",
                   codename="uno dos tres cuatro cinco seis siete ocho nueve")
    harness.step()
    [post] = platform.posts
    assert post["form_id"] == 3 and post["title"] == "Retén: Av. Constitución"
    assert "[TELÉFONO]" in post["content"] and "1234" not in post["content"]
    [task] = post["post_content"]
    values = {v["id"]: v["value"]["value"] for v in task["fields"]}
    cell = coarsen_location(MONTERREY["lat"], MONTERREY["lon"], 1000)
    assert values[72] == {"lat": cell.lat, "lon": cell.lon}  # Ushahidi keeps what it gets: send the cell
    assert values[73] == post["post_date"] == "2026-11-20T22:00:00-06:00"
    assert "pseudonym" not in str(post) and "47" not in post["post_date"]
    assert post["locale"] == "es_MX" and harness.pending() == {}


def test_token_and_survey_are_fetched_once_and_a_revoked_token_is_renewed(
    harness: Harness, platform: FakeUshahidi
) -> None:
    for i in range(3):
        harness.submit(f"reporte {i}")
    harness.step()
    assert len(platform.posts) == 3 and len(platform.token_requests) == 1 and platform.survey_requests == 1
    assert platform.token_requests[0]["grant_type"] == "password"
    platform.revoke_tokens()
    harness.submit("después")
    harness.step()
    assert len(platform.posts) == 4 and len(platform.token_requests) == 2


def test_wrong_credentials_pause_the_destination_and_keep_the_report(tmp_path: Path, platform: FakeUshahidi) -> None:
    h = make_harness(tmp_path, [destination(platform, password="wrong")])
    try:
        h.submit()
        h.step()
        assert platform.posts == [] and h.pending() == {("mapa", "pending"): 1}
        assert "mapa" in h.storage.paused_destinations(h.clock().timestamp())
    finally:
        h.close()


def test_client_credentials_grant_when_no_user_is_configured(tmp_path: Path, platform: FakeUshahidi) -> None:
    config = destination(platform)
    del config["username"], config["password"]
    h = make_harness(tmp_path, [config])
    try:
        h.submit()
        h.step()
        assert len(platform.posts) == 1 and platform.token_requests[0]["grant_type"] == "client_credentials"
    finally:
        h.close()


def test_a_503_with_retry_after_is_retried_then_posted(harness: Harness, platform: FakeUshahidi) -> None:
    platform.fail_posts = [(503, {"Retry-After": "30"})]
    harness.submit()
    harness.step()
    assert platform.posts == []
    harness.clock.advance(31)
    harness.step()
    assert len(platform.posts) == 1 and harness.pending() == {}


def test_a_post_the_survey_refuses_is_retried_after_rediscovery(harness: Harness, platform: FakeUshahidi) -> None:
    platform.fail_posts = [(422, {})]
    harness.submit()
    harness.step()
    assert platform.posts == [] and harness.pending() == {("mapa", "pending"): 1}
    harness.clock.advance(3600)
    harness.step()
    assert len(platform.posts) == 1 and platform.survey_requests == 2
