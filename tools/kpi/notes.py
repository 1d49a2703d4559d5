"""Checks on the root-cause note, and the note code writes when the model's fails.

Why every number is checked: an incident note that says "revenue fell 40 %" when the data
says 14 % sends people after the wrong problem. A number in the note must equal a value
the detector or the drill-down computed (its sign may be dropped: "fell 14.2 %" states
-14.2); dates must be dates of the anomaly or of a change row; citations must name a
change row or runbook chunk that was shown.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from baton.tools.compliance.critic import numbers_in

_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?)?\b")


def allowed_numbers(finding: dict[str, Any]) -> set[Decimal]:
    """Every value the detector and drill-down computed for this finding (and |value|),
    plus the numbers written in the change rows shown (a release number, a price change)."""
    values: list[object] = list(finding["anomaly"]["evidence"].values())
    values.append(finding["anomaly"]["confidence"])
    for row in finding.get("contributions", []):
        values += [row["delta"], row["share_pct"]]
    out: set[Decimal] = set()
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int | float):
            continue
        d = Decimal(str(v)).normalize()
        out |= {d, abs(d)}
    for cause in finding.get("causes", []):  # quoted change rows: "App 4.12", "+15%"
        out |= {n.normalize() for n in numbers_in(f"{cause['id']} {cause['summary']}")}
        out |= {abs(n).normalize() for n in numbers_in(cause["summary"])}
    return out


def allowed_dates(finding: dict[str, Any]) -> set[str]:
    a = finding["anomaly"]
    stamps = [a["start"], a["end"], str(a["evidence"].get("peak", ""))]
    stamps += [c["date"] for c in finding.get("causes", [])]
    return {s[:10] for s in stamps if s}


def mismatched_numbers(text: str, finding: dict[str, Any]) -> list[str]:
    """Numbers (and dates) in ``text`` that no computed value backs."""
    dates = allowed_dates(finding)
    bad = [d for d in _DATE.findall(text) if d[:10] not in dates]
    allowed = allowed_numbers(finding)
    for n in numbers_in(_DATE.sub(" ", text)):
        if n.normalize() not in allowed:
            bad.append(str(n))
    return bad


def check_note(text: str, cited: list[str], finding: dict[str, Any], shown: set[str]) -> list[str]:
    """Problems with a drafted note; empty when it may be sent."""
    issues = [f"{n} is not a computed value" for n in mismatched_numbers(text, finding)]
    kpi = finding["anomaly"]["kpi"]
    if kpi.replace("_", " ").casefold() not in text.replace("_", " ").casefold():
        issues.append(f"the note does not name the KPI '{kpi}'")
    issues += [f"citation {c} was not shown" for c in cited if c not in shown]
    return issues


def fallback_note(finding: dict[str, Any]) -> str:
    """The note code writes from computed values alone (always passes the checks)."""
    a = finding["anomaly"]
    ev = a["evidence"]
    where = ", ".join(f"{k}={v}" for k, v in sorted(a["dims"].items())) or "in total"
    what = "spiked" if a["kind"] == "spike" else "shifted level"
    text = (
        f"{a['kpi']} {where} {what} on {a['start'][:10]}: {ev['observed']} against an expected"
        f" {ev['expected']} ({ev['change_pct']}%)."
    )
    explained = finding.get("explained_by") or {}
    if explained and not a["dims"]:
        dim, value = next(iter(sorted(explained.items())))
        row = next(
            (c for c in finding["contributions"] if c["dim"] == dim and c["value"] == value), None
        )
        if row:
            text += f" Most of the move is {dim}={value} ({row['share_pct']}% of it)."
    if finding.get("causes"):
        top = finding["causes"][0]
        text += f" Likely cause: {top['id']} ({top['kind']}, {top['date'][:10]}): {top['summary']}."
    else:
        text += " No change-log row falls in the window."
    return text
