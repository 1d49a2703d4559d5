"""content-calendar with the real embedded model, as a user runs it from the shell.

Ingest the brand documents, run to the human review, approve from a second process,
then read ``calendar.ics`` back with icalendar and check it against ``calendar.csv``.
"""

from __future__ import annotations

import csv
import time
from collections import Counter
from pathlib import Path

import icalendar
import pytest

from tests.integration.conftest import ROOT, Baton, make_env

pytestmark = pytest.mark.integration

MARKETING = ROOT / "examples" / "marketing"


def test_content_calendar_end_to_end(tmp_path: Path) -> None:
    baton = Baton(tmp_path, make_env(tmp_path / "home"))
    baton("ingest", str(MARKETING / "brand"), "--collection", "brand")

    started = time.monotonic()
    paused = baton.json("run", "content-calendar", "--input", str(MARKETING))
    assert paused["status"] == "awaiting_review", paused.get("reason")
    assert paused["outputs"] == []
    assert "## Schedule" in paused["packet"]["preview"]
    run_id = paused["run_id"]

    done = baton.json("resume", run_id, "--approve", "--reviewer", "it-test")
    elapsed = time.monotonic() - started
    print(f"content-calendar run + approve: {elapsed:.1f} s")
    assert done["status"] == "done"

    out = Path(done["output_dir"])
    rows = list(csv.DictReader((out / "calendar.csv").open(encoding="utf-8")))
    assert rows
    ics = icalendar.Calendar.from_ical((out / "calendar.ics").read_bytes())
    events = {str(e["UID"]): e for e in ics.walk("VEVENT")}
    assert len(events) == len(rows)
    for row in rows:
        event = events[f"{paused['packet']['month']}-{row['post_id']}@baton.local"]
        assert str(event["SUMMARY"]) == row["title"]
        assert event.decoded("DTSTART").isoformat() == row["date"]
        if row["must_publish_before"]:
            assert row["date"] < row["must_publish_before"]
        assert (out / row["outline_file"]).is_file()
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "approve by it-test" in summary

    nodes = baton.json("show", run_id)["nodes"]
    counts = Counter(n["node"] for n in nodes if n["kind"] == "node")
    for node in ("ingest", "research", "strategy", "schedule", "review", "publish"):
        assert counts[node] == 1, node
    assert counts["draft"] >= len(rows)
    assert sum(n["llm_calls"] for n in nodes) >= 3  # the embedded model really answered
    ingest = next(n for n in nodes if n["node"] == "ingest")
    assert "brand: +0 new" in ingest["decision"]  # ingested above: the run's ingest is a no-op
    assert not list(out.rglob("*.tmp"))
