"""kpi-monitor's code: detector, drill-down, router, de-duplication, outbox, escalation,
number checks and every bad input (malformed, gaps, one point, unknown KPI, huge)."""

from __future__ import annotations

import math
import random
import shutil
import time
from datetime import date, timedelta
from pathlib import Path

import pytest

from baton.errors import InputError
from baton.tools.kpi import detect
from baton.tools.kpi.alerts import alert_payload, deliver_webhook, send_alert
from baton.tools.kpi.escalation import decide, next_deadline
from baton.tools.kpi.io import MAX_ROWS, load_folder, load_series
from baton.tools.kpi.models import Anomaly
from baton.tools.kpi.monitor import analyse
from baton.tools.kpi.notes import check_note, fallback_note, mismatched_numbers
from baton.tools.kpi.route import known_as, locked_ledger, remember, route

ROOT = Path(__file__).resolve().parents[2]
SHOP = ROOT / "examples" / "kpi"
SAAS = ROOT / "examples" / "kpi-saas"


def _series(n: int = 120, seed: int = 3) -> list[float | None]:
    rng = random.Random(seed)
    week = [1.0, 1.02, 0.98, 1.05, 1.1, 0.8, 0.75]
    return [1000 * week[i % 7] * rng.gauss(1, 0.02) for i in range(n)]


def test_detector_finds_a_spike_and_a_level_shift_and_nothing_in_noise() -> None:
    clean = _series()
    assert detect.detect(clean, 86_400) == []
    spiked = list(clean)
    spiked[80] = (spiked[80] or 0) * 1.6
    (ev,) = detect.detect(spiked, 86_400)
    assert (ev.kind, ev.start, ev.end) == ("spike", 80, 80)
    assert ev.change == pytest.approx(0.6, abs=0.08)
    shifted = [v * (0.7 if i >= 90 else 1) for i, v in enumerate(clean) if v is not None]
    (sh,) = detect.detect(list(shifted), 86_400)
    assert sh.kind == "level_shift" and abs(sh.start - 90) <= 1
    assert sh.change == pytest.approx(-0.3, abs=0.05)


def test_gaps_are_interpolated_and_never_flagged() -> None:
    values = _series()
    for i in (30, 31, 32, 70):
        values[i] = None
    assert detect.detect(values, 86_400) == []


def test_anomaly_ids_are_stable_and_depend_on_what_was_found() -> None:
    a = detect.anomaly_id("orders", "total", "spike", "2026-01-05T00:00:00")
    assert a == detect.anomaly_id("orders", "total", "spike", "2026-01-05T00:00:00")
    assert a != detect.anomaly_id("orders", "region=west", "spike", "2026-01-05T00:00:00")


def test_shop_example_finds_the_three_stories_with_their_causes_and_owners() -> None:
    series, changes, policy = load_folder(SHOP)
    found = analyse(series, changes, policy)
    got = {
        (
            f["anomaly"]["kpi"],
            f["anomaly"]["start"][:10],
            f["causes"][0]["id"] if f["causes"] else None,
        )
        for f in found
    }
    assert got == {
        ("orders", "2026-02-17", "CHG-103"),
        ("revenue", "2026-02-17", "CHG-103"),
        ("revenue", "2026-03-10", "CHG-106"),
        ("signups", "2026-04-02", "CHG-109"),
    }
    west = next(f for f in found if f["anomaly"]["dims"])
    assert west["anomaly"]["dims"] == {"region": "west"}  # dimension-only: total moved ~3 %
    orders = next(f for f in found if f["anomaly"]["kpi"] == "orders")
    assert orders["explained_by"] == {"channel": "app"}
    owners = {
        f["anomaly"]["kpi"] + f["anomaly"]["start"][:10]: route(
            Anomaly.model_validate(f["anomaly"]), f["explained_by"], policy
        )["owner"]
        for f in found
    }
    assert owners["orders2026-02-17"] == "mobile-team@fjordline.example"
    assert owners["revenue2026-03-10"] == "west-sales@fjordline.example"
    assert owners["signups2026-04-02"] == "growth@fjordline.example"


def test_second_example_hourly_saas_finds_the_pro_deploy() -> None:
    series, changes, policy = load_folder(SAAS)
    found = [f for f in analyse(series, changes, policy) if f["anomaly"]["kpi"] == "api_errors"]
    assert len(found) == 1
    (f,) = found
    assert f["anomaly"]["start"].startswith("2026-05-20T14")
    assert f["explained_by"] == {"plan": "pro"} and f["causes"][0]["id"] == "OPS-2"
    assert route(Anomaly.model_validate(f["anomaly"]), f["explained_by"], policy)["owner"] == (
        "pro-platform@saas.example"
    )


def test_watermark_keeps_only_new_anomalies() -> None:
    series, changes, policy = load_folder(SHOP)
    since = {k: "2026-03-20T00:00:00" for k in series}
    found = analyse(series, changes, policy, since)
    assert [f["anomaly"]["kpi"] for f in found] == ["signups"]


def _folder(tmp_path: Path, kpis: str) -> Path:
    folder = tmp_path / f"in{len(list(tmp_path.iterdir()))}"
    shutil.copytree(SHOP, folder)
    (folder / "kpis.csv").write_text(kpis)
    return folder


def _daily(n: int, kpis: tuple[str, ...] = ("orders", "revenue", "signups")) -> str:
    rows = ["date,kpi,value"]
    for i in range(n):
        day = date(2026, 1, 1) + timedelta(days=i)
        rows += [f"{day},{k},{100 + i % 7}" for k in kpis]
    return "\n".join(rows) + "\n"


def test_malformed_series_names_file_line_and_column(tmp_path: Path) -> None:
    bad = _daily(20).replace("2026-01-05,revenue,104", "2026-01-05,revenue,lots")
    with pytest.raises(InputError, match=r"kpis.csv:15: column 'value': invalid number 'lots'"):
        load_folder(_folder(tmp_path, bad))
    with pytest.raises(InputError, match=r"kpis.csv:3: column 'date'"):
        load_folder(_folder(tmp_path, _daily(20).replace("2026-01-01,revenue", "01/01/26,revenue")))
    with pytest.raises(InputError, match="missing column"):
        load_folder(_folder(tmp_path, "when,kpi,value\n"))
    with pytest.raises(InputError, match="duplicate of line 2"):
        load_folder(_folder(tmp_path, _daily(20) + "2026-01-01,orders,1\n"))


def test_a_single_point_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="has 1 point"):
        load_folder(_folder(tmp_path, _daily(1)))


def test_gaps_in_the_file_become_none_and_irregular_grids_are_refused(tmp_path: Path) -> None:
    text = "\n".join(line for line in _daily(30).splitlines() if "2026-01-10" not in line)
    series, _, _ = load_folder(_folder(tmp_path, text + "\n"))
    assert series["orders"].total[9] is None and len(series["orders"].total) == 30
    odd = _daily(20) + "2026-01-20T05:00:00,orders,3\n"
    with pytest.raises(InputError, match="regular"):
        load_folder(_folder(tmp_path, odd))


def test_unknown_kpi_in_the_policy_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"alert_policy.yaml: kpis.signups: unknown KPI"):
        load_folder(_folder(tmp_path, _daily(20, ("orders", "revenue"))))
    folder = _folder(tmp_path, _daily(20, ("orders", "revenue", "signups", "refunds")))
    with pytest.raises(InputError, match="no owner for KPI 'refunds'"):
        load_folder(folder)


def test_a_huge_series_is_refused_in_seconds(tmp_path: Path) -> None:
    path = tmp_path / "kpis.csv"
    with path.open("w") as fh:
        fh.write("date,kpi,value\n")
        for i in range(MAX_ROWS + 5):
            fh.write(f"2026-01-01T00:00:{i % 60:02d},k{i},1\n")
    started = time.monotonic()
    with pytest.raises(InputError, match=f"more than {MAX_ROWS} rows"):
        load_series(path)
    assert time.monotonic() - started < 60  # generous: a shared CI box


def test_number_check_accepts_computed_values_and_flags_others() -> None:
    series, changes, policy = load_folder(SHOP)
    finding = analyse(series, changes, policy)[0]
    note = fallback_note(finding)
    assert mismatched_numbers(note, finding) == []
    ev = finding["anomaly"]["evidence"]
    wrong = note.replace(str(ev["observed"]), str(round(float(ev["observed"]) + 7, 2)))
    assert mismatched_numbers(wrong, finding) == [str(round(float(ev["observed"]) + 7, 2))]
    assert mismatched_numbers("It started on 2026-01-02.", finding) == ["2026-01-02"]
    assert check_note(note, ["CHG-999"], finding, {"CHG-103"}) == ["citation CHG-999 was not shown"]


def _anomaly(start: str = "2026-03-10T00:00:00", aid: str = "A-1") -> Anomaly:
    return Anomaly(
        id=aid,
        kpi="revenue",
        dims={"region": "west"},
        kind="level_shift",
        start=start,
        end=start,
        severity="high",
        confidence=0.4,
        evidence={"observed": 1.0},
    )


def test_router_review_and_dedup_ledger(tmp_path: Path) -> None:
    _, _, policy = load_folder(SHOP)
    r = route(_anomaly(), {"region": "west"}, policy)
    assert r["owner"] == "west-sales@fjordline.example"
    assert r["ladder"] == [
        "west-sales@fjordline.example",
        "finance-oncall@fjordline.example",
        "cfo@fjordline.example",
    ]
    assert r["alert"] and r["review"]
    low = _anomaly().model_copy(update={"severity": "low", "confidence": 1.0})
    assert route(low, {}, policy)["alert"] is False
    ledger = tmp_path / "ledger.json"
    with locked_ledger(ledger) as data:
        remember(data["seen"], _anomaly(), ["west-sales@fjordline.example"], "run-1")
    with locked_ledger(ledger) as data:
        assert known_as(_anomaly(), data["seen"], 86_400) == "A-1"
        moved = _anomaly("2026-03-12T00:00:00", "A-2")  # the change point moved two days
        assert known_as(moved, data["seen"], 86_400) == "A-1"
        later = _anomaly("2026-04-12T00:00:00", "A-3")
        assert known_as(later, data["seen"], 86_400) is None
        spike = _anomaly("2026-03-11T00:00:00", "A-4").model_copy(update={"kind": "spike"})
        assert known_as(spike, data["seen"], 86_400) == "A-1"  # the shift's first point
        far_spike = spike.model_copy(update={"start": "2026-03-15T00:00:00", "id": "A-5"})
        assert known_as(far_spike, data["seen"], 86_400) is None


def test_outbox_sends_each_alert_once_and_webhook_once(tmp_path: Path) -> None:
    series, changes, policy = load_folder(SHOP)
    finding = analyse(series, changes, policy)[0]
    payload = alert_payload(finding, "a@x.example", 0, "note")
    first = send_alert(tmp_path, payload, "email", policy.sender)
    again = send_alert(tmp_path, payload, "email", policy.sender)
    assert first[1] == "written" and again == (first[0], "already in outbox")
    esc = send_alert(tmp_path, {**payload, "to": "b@x.example", "step": 1}, "json", policy.sender)
    assert esc[0] != first[0] and esc[0].suffix == ".json"
    posted: list[str] = []
    assert deliver_webhook(first[0], payload, "http://hook", lambda u, b, k: posted.append(k))
    assert not deliver_webhook(first[0], payload, "http://hook", lambda u, b, k: posted.append(k))
    assert posted == [first[0].name]


def _items() -> list[dict[str, object]]:
    return [
        {
            "id": "A-1",
            "status": "waiting",
            "owner": "a@x",
            "ladder": ["a@x", "b@x"],
            "level": 0,
            "deadline": "2026-04-02T04:00:00.000+00:00",
        }
    ]


def test_escalation_moves_up_the_ladder_then_leaves_unanswered() -> None:
    now = "2026-04-02T04:00:01.000+00:00"
    items, audit, alerts = decide(_items(), "expire", "baton:deadline", now=now, hours=4)
    assert items[0]["owner"] == "b@x" and items[0]["status"] == "waiting"
    assert alerts == [{"id": "A-1", "to": "b@x", "step": 1}]
    assert "escalated from a@x to b@x: no decision by 2026-04-02T04:00:00" in audit[0]
    assert next_deadline(items) == "2026-04-02T08:00:01.000+00:00"
    items, audit, alerts = decide(items, "expire", "baton:deadline", now=now, hours=4)
    assert items[0]["status"] == "unanswered" and alerts == [] and "exhausted" in audit[0]
    assert next_deadline(items) is None


def test_confirm_dismiss_and_reassign() -> None:
    now = "2026-04-02T01:00:00+00:00"
    assert decide(_items(), "approve", "Kim", now=now, hours=4)[0][0]["status"] == "confirmed"
    assert decide(_items(), "reject", "Kim", now=now, hours=4)[0][0]["status"] == "dismissed"
    edits = {"decisions": [{"id": "A-1", "action": "reassign", "to": "c@x"}]}
    items, audit, alerts = decide(_items(), "edit", "Kim", now=now, hours=4, edits=edits)
    assert items[0]["owner"] == "c@x" and items[0]["ladder"] == ["c@x", "b@x"]
    assert alerts[0]["to"] == "c@x" and "reassigned to c@x by Kim" in audit[0]
    assert math.isclose(len(items), 1)
