"""Human edits are applied only when the edited calendar still satisfies every rule."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from pathlib import Path

import pytest

from baton.errors import InputError
from baton.tools.marketing.brand import BrandConfig, load_brand_config
from baton.tools.marketing.edits import CalendarEdits, DropEdit, MoveEdit, apply_edits, load_edits
from baton.tools.marketing.models import Calendar, CalendarEntry, RoadmapEvent, RunOptions
from baton.tools.marketing.testing import good_outline, make_options, make_post

LAUNCH = RoadmapEvent(
    name="Launch", date=date(2026, 11, 12), audience="all", key_messages=["Cold brew pods"]
)


@pytest.fixture(scope="module")
def brand() -> BrandConfig:
    return load_brand_config()


@pytest.fixture
def options() -> RunOptions:
    return make_options(holidays=["2026-11-20"], min_spacing_days={"blog": 2})


@pytest.fixture
def calendar() -> Calendar:
    entries = [
        CalendarEntry(
            date=date(2026, 11, 10),
            post=make_post("launch-post", before=LAUNCH.date, keyword="cold brew pods"),
            outline=good_outline(),
        ),
        CalendarEntry(date=date(2026, 11, 16), post=make_post("plain", keyword="cold brew pods")),
        CalendarEntry(
            date=date(2026, 11, 18),
            post=make_post("news", "newsletter", keyword="cold brew pods"),
            outline=good_outline(),
        ),
    ]
    return Calendar(month="2026-11", entries=entries)


def _apply(
    calendar: Calendar, options: RunOptions, brand: BrandConfig, *edits: Mapping[str, object]
) -> tuple[Calendar, set[str], bool]:
    parsed = CalendarEdits.model_validate({"edits": list(edits)})
    outcome = apply_edits(calendar, parsed, options, brand, launches=[LAUNCH])
    return outcome.calendar, {v.rule for v in outcome.violations}, outcome.accepted


def test_valid_move_retitle_and_drop_are_applied(
    calendar: Calendar, options: RunOptions, brand: BrandConfig
) -> None:
    move = {"action": "move", "post_id": "plain", "date": "2026-11-03"}
    retitle = {"action": "retitle", "post_id": "news", "title": "Cold brew pods for busy mornings"}
    move_news = {"action": "move", "post_id": "news", "date": "2026-11-11"}
    drop = {"action": "drop", "post_id": "launch-post"}
    edited, rules, accepted = _apply(calendar, options, brand, move, retitle, drop, move_news)
    assert accepted is False  # dropping the only launch post leaves the launch uncovered
    assert rules == {"launch_uncovered"}
    assert edited == calendar

    edited, rules, accepted = _apply(calendar, options, brand, move, retitle, move_news)
    assert accepted and rules == set()
    by_id = edited.by_id()
    assert by_id["plain"].date == date(2026, 11, 3)
    assert by_id["news"].title == "Cold brew pods for busy mornings"
    assert [e.post.id for e in edited.entries] == ["plain", "launch-post", "news"]  # re-sorted


@pytest.mark.parametrize(
    ("edit", "rule"),
    [
        ({"action": "move", "post_id": "plain", "date": "2026-11-20"}, "holiday"),
        ({"action": "move", "post_id": "plain", "date": "2026-11-21"}, "weekday"),
        ({"action": "move", "post_id": "plain", "date": "2026-12-01"}, "outside_month"),
        ({"action": "move", "post_id": "plain", "date": "2026-11-10"}, "same_day_channel"),
        ({"action": "move", "post_id": "plain", "date": "2026-11-11"}, "spacing"),
        ({"action": "move", "post_id": "launch-post", "date": "2026-11-13"}, "launch_deadline"),
        (
            {"action": "retitle", "post_id": "news", "title": "x" * 70 + " cold brew pods"},
            "title_length",
        ),
        ({"action": "retitle", "post_id": "news", "title": "Mornings"}, "keyword_in_title"),
        (
            {"action": "retitle", "post_id": "news", "title": "Guilt-free cold brew pods"},
            "banned_word",
        ),
        ({"action": "retitle", "post_id": "plain", "title": "Cold brew pods"}, "no_outline"),
        ({"action": "drop", "post_id": "nope"}, "unknown_post"),
    ],
)
def test_rule_breaking_edits_are_reported_not_applied(
    calendar: Calendar,
    options: RunOptions,
    brand: BrandConfig,
    edit: dict[str, object],
    rule: str,
) -> None:
    edited, rules, accepted = _apply(calendar, options, brand, edit)
    assert not accepted
    assert rule in rules
    assert edited == calendar


def test_conflicting_edits(calendar: Calendar, options: RunOptions, brand: BrandConfig) -> None:
    edits = CalendarEdits(
        edits=[
            MoveEdit(action="move", post_id="plain", date=date(2026, 11, 3)),
            DropEdit(action="drop", post_id="plain"),
        ]
    )
    outcome = apply_edits(calendar, edits, options, brand)
    assert [v.rule for v in outcome.violations] == ["conflicting_edits"]
    assert outcome.violations[0].post_id == "plain"


def test_load_edits_locates_errors(tmp_path: Path) -> None:
    good = tmp_path / "edits.json"
    good.write_text(json.dumps({"edits": [{"action": "drop", "post_id": "a"}]}))
    assert load_edits(good).edits == [DropEdit(action="drop", post_id="a")]

    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"edits": [\n  {"action": "drop",}\n]}')
    with pytest.raises(InputError, match="invalid JSON") as err:
        load_edits(bad_json)
    assert err.value.line == 2

    bad_date = tmp_path / "date.json"
    bad_date.write_text(
        '{"edits": [\n  {"action": "drop", "post_id": "a"},\n'
        '  {"action": "move", "post_id": "b", "date": "soon"}\n]}'
    )
    with pytest.raises(InputError, match=r"edits\[1\]\.date: ") as err:
        load_edits(bad_date)
    assert err.value.line == 3

    unknown = tmp_path / "unknown.json"
    unknown.write_text('{"edits": [{"action": "rename", "post_id": "a"}]}')
    with pytest.raises(InputError, match=r"edits\[0\]"):
        load_edits(unknown)
