"""Alert rules: thresholds, shift types, watch terms, flapping, rate limit, digest."""

from __future__ import annotations

import hashlib
import json
from datetime import timedelta
from typing import Any

import pytest

from storywatch.config import AlertSettings, load_settings
from storywatch.errors import ConfigError
from storywatch.notifiers.message import AlertMessage, render_text
from storywatch.notifiers.planning import FLAPPING_REASON, plan_alerts
from tests.support.alerts import T0, context, modality_shift, number_shift


def _settings(**alerts: Any) -> AlertSettings:
    return load_settings(environ={}, overrides={"alerts": alerts}).alerts


def test_material_change_alerts_once_per_channel_with_full_payload() -> None:
    settings = _settings(channels=["console", "webhook"])
    drafts = plan_alerts(context(), settings)
    assert [d.channel for d in drafts] == ["console", "webhook"]
    assert all(d.status == "pending" and d.reason is None for d in drafts)
    assert len({d.key for d in drafts}) == 2 and all(len(d.key) == 32 for d in drafts)
    expected = hashlib.sha256(b"1:h-new").hexdigest()
    assert {d.fingerprint for d in drafts} == {expected}
    payload = drafts[0].payload
    assert payload["id"] == drafts[0].key
    assert payload["story"] == {
        "id": 1,
        "url": "https://news.example/fire",
        "name": None,
        "title": "Fire in the old town",
        "tags": [],
    }
    assert (payload["version"], payload["previous_version"]) == (2, 1)
    assert payload["material"] is True and payload["significance"] == 0.8
    assert payload["summary"] == "number: 3 → 5 (+1 more)"
    assert payload["headline"] is None  # the page's headline was not rewritten
    assert [s["type"] for s in payload["shifts"]] == ["number", "modality"]
    assert payload["text_diff"][0]["segments"]
    assert payload["created_at"] == "2026-11-25T10:00:00Z"
    assert payload["schema"] == 2 and payload["text_diff"][0]["old_start"] == 1  # ¶1
    json.dumps(payload)  # the outbox column is JSON
    assert AlertMessage.from_payload(payload).key == drafts[0].key


def test_not_material_or_below_threshold_is_silent() -> None:
    assert plan_alerts(context(material=False), _settings()) == []
    quiet = context([number_shift(0.2), modality_shift(0.1)])
    assert plan_alerts(quiet, _settings()) == []
    assert plan_alerts(quiet, _settings(min_significance=0.15))  # the 0.2 shift fires


def test_only_configured_types_fire() -> None:
    drafts = plan_alerts(context(), _settings(types=["modality"]))
    assert drafts and drafts[0].payload["summary"] == "modality: would → will"
    shifts = drafts[0].payload["shifts"]
    assert [(s["type"], s["matched"], s["reason"]) for s in shifts] == [
        ("modality", True, None),
        ("number", False, "number is not in alerts.types"),
    ]
    assert plan_alerts(context(), _settings(types=["quote", "date"])) == []


@pytest.mark.parametrize(
    ("terms", "fires"),
    [
        (["MAYOR"], True),  # case-insensitive
        (["tariff", "mayor"], True),
        (["may"], False),  # whole words only: "may" is not "mayor"
        (["fire"], True),  # in the number shift's sentence
        (["Crimea"], False),
    ],
)
def test_watch_terms_whole_word_case_insensitive(terms: list[str], fires: bool) -> None:
    shifts = [number_shift(), modality_shift()]
    assert bool(plan_alerts(context(shifts), _settings(watch_terms=terms))) is fires


def test_with_watch_terms_only_mentioning_shifts_count() -> None:
    drafts = plan_alerts(context(), _settings(watch_terms=["mayor"]))
    assert drafts[0].payload["summary"] == "modality: would → will"


def test_tag_rule_overrides_only_the_keys_it_sets() -> None:
    settings = _settings(min_significance=0.5, tags={"politics": {"watch_terms": ["mayor"]}})
    tagged = context(story_tags=("politics",))
    # The tag keeps the global 0.5 threshold: the 0.4 modality shift about the mayor is out.
    assert plan_alerts(tagged, settings) == []
    settings = _settings(
        tags={"politics": {"min_significance": 0.9}, "local": {"types": ["number"]}}
    )
    # Several tags: a shift firing any of them is enough.
    drafts = plan_alerts(context(story_tags=("politics", "local")), settings)
    assert drafts[0].payload["summary"] == "number: 3 → 5"
    assert plan_alerts(context(story_tags=("politics",)), settings) == []


def test_story_rule_by_url_wins_over_tags() -> None:
    settings = _settings(
        tags={"politics": {"min_significance": 0.95}},
        stories={"https://news.example/fire": {"types": ["modality"]}},
    )
    drafts = plan_alerts(context(story_tags=("politics",)), settings)
    assert drafts[0].payload["summary"] == "modality: would → will"
    other = context(story_tags=("politics",), story_url="https://news.example/other")
    assert plan_alerts(other, settings) == []


def test_flapping_text_is_recorded_but_suppressed() -> None:
    drafts = plan_alerts(context(seen_before=True), _settings(channels=["console", "slack"]))
    assert [(d.status, d.reason) for d in drafts] == [("suppressed", FLAPPING_REASON)] * 2


def test_rate_limit_suppresses_alerts_within_the_window() -> None:
    settings = _settings(rate_limit="1h")
    recent = context(last_alert_at=T0 - timedelta(minutes=20))
    (draft,) = plan_alerts(recent, settings)
    assert draft.status == "suppressed"
    assert draft.reason == "rate limit: previous alert 20m ago (limit 1h)"
    (later,) = plan_alerts(context(last_alert_at=T0 - timedelta(minutes=61)), settings)
    assert later.status == "pending"
    (unlimited,) = plan_alerts(recent, _settings())
    assert unlimited.status == "pending"


def test_digest_mode_queues_drafts_for_the_digest_job() -> None:
    drafts = plan_alerts(context(), _settings(digest="1h", channels=["email", "slack"]))
    assert [(d.channel, d.status) for d in drafts] == [("email", "digest"), ("slack", "digest")]


def test_bad_rule_settings_are_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"alerts.types.*unknown shift type 'numbers'"):
        _settings(types=["numbers"])
    with pytest.raises(ConfigError, match=r"alerts.channels.*unknown channel 'sms'"):
        _settings(channels=["sms"])
    with pytest.raises(ConfigError, match=r"alerts.tags.x.min_significance"):
        _settings(tags={"x": {"min_significance": 2}})


def test_plain_rendering_is_the_change_report() -> None:
    (draft,) = plan_alerts(context(), _settings(min_significance=0.5))
    text = render_text(AlertMessage.from_payload(draft.payload))
    lines = text.splitlines()
    assert lines[0] == "Fire in the old town"
    assert lines[1] == "story 1, version 1 → 2 · significance 0.80 · https://news.example/fire"
    # Each changed sentence once, its words marked, its shift under it; the modality
    # shift below the rule's 0.5 is there too, with why it did not alert.
    assert lines[3] == "Officials said [-3-]{+5+} people died in the fire."
    assert lines[4] == "  number: 3 → 5  0.80"
    assert lines[6] == "The mayor [-would-]{+will+} visit on Friday."
    assert lines[7] == "  modality: would → will  0.40, no alert: below 0.50"
    assert text.index("Word diff:") > text.index("modality")


def test_a_payload_of_schema_1_is_still_read() -> None:
    (draft,) = plan_alerts(context(), _settings(types=["number"]))
    old = {**draft.payload, "schema": 1, "headline": "number: 3 -> 5"}
    old["headline_change"] = {"old": "Fire", "new": "Big fire"}
    for hunk in old["text_diff"]:
        hunk["old_start"] -= 1
        hunk["new_start"] -= 1
    for shift in old["shifts"]:
        del shift["reason"]
    message = AlertMessage.from_payload(old)
    assert message.summary == "number: 3 -> 5" and message.headline is not None
    assert message.text_diff.hunks[0].old_start == 0
    assert message.reasons == (None, "no alert rule matched")
