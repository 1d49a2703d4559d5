"""Reporting: figures in code, a short commentary by the model, an arithmetic critic, publishing.

Every figure of the monthly summary is computed by ``build_summary`` in Decimal; the
model writes only a two-sentence commentary (on a hosted endpoint, or when a reviewer
sends the report back with a request; on the embedded model the first draft comes from
code), which is kept only if each number it quotes is one of the computed figures.
The critic (``report_critic``) runs ``check_arithmetic`` and sends the report back when
the figures do not add up; on the way back the reporter repairs the partition (every
bank and ledger id in exactly one bucket), and the loop is bounded, with anything still
wrong handed to the reviewer as an exception.

Publishing comes after the human review: reviewer decisions are applied in code
(``apply_decisions``: a ``match_to`` books rows and removes ids from the unmatched lists),
the figures are recomputed, and every output file is written atomically.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.csvsafe import safe_cell
from baton.errors import UserError
from baton.graphs.expense_reconciliation.state import (
    all_exceptions,
    bank_lines,
    hosted,
    ledger_entries,
    policy_of,
    quoted_numbers,
    recon_of,
    to_report_exception,
)
from baton.llm import ask_structured
from baton.outputs import atomic_write
from baton.tools.finance.chart import render_chart, weekly_totals
from baton.tools.finance.models import Candidate, Match, ReconResult
from baton.tools.finance.packet import expand_decisions, group_exceptions
from baton.tools.finance.report import (
    SummaryFigures,
    build_summary,
    check_arithmetic,
    render_summary_md,
)

PROMPT = (
    "You write the commentary of a monthly bank reconciliation for a finance manager: two"
    " short, plain sentences. Quote only the figures given; never compute new ones."
)
MATCHABLE_BANK = frozenset({"unmatched_bank", "ambiguous_match"})
MATCHABLE_GL = frozenset({"unmatched_ledger"})


class Commentary(BaseModel):
    text: str = Field(description="two short sentences", max_length=200)


# --- figures and commentary ---------------------------------------------------------------


def figure_facts(figures: SummaryFigures) -> str:
    """The figures a commentary may quote, as short lines for the model's prompt."""
    cur = figures.currency
    severity = figures.exceptions_by_severity
    lines = [f"Period: {figures.period_start} to {figures.period_end}; currency {cur}."]
    for name, side in (("Bank", figures.bank), ("Ledger", figures.ledger)):
        lines.append(
            f"{name}: {side.count} rows, net {side.net}; matched {side.matched_count}"
            f" ({side.matched_total}); unmatched {side.unmatched_count} ({side.unmatched_total});"
            f" pending review {side.pending_count}."
        )
    lines.append(
        f"Exceptions: {figures.exceptions_count} ({severity.get('high', 0)} high,"
        f" {severity.get('medium', 0)} medium, {severity.get('low', 0)} low)."
    )
    return "\n".join(lines)


def fallback_commentary(figures: SummaryFigures) -> str:
    """A plain commentary from the figures alone, used whenever the model's is unusable."""
    b, g = figures.bank, figures.ledger
    text = (
        f"{b.matched_count} of {b.count} bank lines and {g.matched_count} of {g.count} ledger"
        f" entries are matched; {b.unmatched_count} bank lines and {g.unmatched_count} ledger"
        f" entries are unmatched and {b.pending_count + g.pending_count} rows await review."
    )
    if figures.exceptions_count:
        text += f" {figures.exceptions_count} exceptions were raised for review."
    else:
        text += " There are no exceptions."
    return text


def commentary(
    ctx: RunContext, figures: SummaryFigures, previous: str | None, comment: str | None
) -> tuple[str, str]:
    """The commentary and where it came from: reused, the model's (verified), or code's.

    The model is asked at most once per reporting pass, and only when it can add
    something: on a hosted endpoint, or when a reviewer sent the report back with a
    request. On the embedded model a first draft comes from code, because its prose
    rarely survives the check that every quoted number is a computed figure, and each
    attempt costs tens of seconds on a busy CPU.
    """
    facts = figure_facts(figures)
    allowed = quoted_numbers(facts)
    if previous and comment is None and quoted_numbers(previous) <= allowed:
        return previous, "kept"
    if comment is None and not hosted(ctx):
        return fallback_commentary(figures), "from code (embedded model)"
    prompt = facts + (f"\n\nReviewer's request: {comment[:300]}" if comment else "")
    answer = ask_structured(ctx, "reporting", Commentary, PROMPT, prompt, repairs=0)
    text = " ".join(answer.text.split()) if answer else ""
    if len(text) >= 20 and quoted_numbers(text) <= allowed:
        return text, "model"
    return fallback_commentary(figures), "fallback"


def repair_partition(
    recon: ReconResult, bank_ids: Iterable[str], gl_ids: Iterable[str]
) -> tuple[ReconResult, list[str]]:
    """Put every bank and ledger id in exactly one bucket, dropping what names unknown ids.

    Priority is matches, then offsetting pairs, then candidates; whatever is left over is
    unmatched. Returns the repaired result and one note per kind of repair made.
    """
    banks, gls = set(bank_ids), set(gl_ids)
    notes: list[str] = []
    matches: list[Match] = []
    used_gl: set[str] = set()
    for m in recon.matches:
        if m.bank_id in banks and m.gl_id in gls and m.gl_id not in used_gl:
            matches.append(m)
            used_gl.add(m.gl_id)
    if len(matches) != len(recon.matches):
        notes.append(
            f"dropped {len(recon.matches) - len(matches)} match rows naming unknown"
            " or already matched ids"
        )
    matched_bank = {m.bank_id for m in matches}
    offsetting = []
    for pair in recon.offsetting:
        if {pair.gl_id_a, pair.gl_id_b} <= gls - used_gl and pair.gl_id_a != pair.gl_id_b:
            offsetting.append(pair)
            used_gl |= {pair.gl_id_a, pair.gl_id_b}
    candidates: list[Candidate] = []
    for cand in recon.candidates:
        open_gl = tuple(g for g in cand.gl_ids if g in gls and g not in used_gl)
        if cand.bank_id in banks and cand.bank_id not in matched_bank and open_gl:
            candidates.append(cand.model_copy(update={"gl_ids": open_gl}))
            matched_bank.add(cand.bank_id)  # placed: pending review
            used_gl.update(open_gl)
    unmatched_bank = sorted(banks - matched_bank)
    unmatched_gl = sorted(gls - used_gl)
    if unmatched_bank != sorted(recon.unmatched_bank) or unmatched_gl != sorted(recon.unmatched_gl):
        notes.append("rebuilt the unmatched lists so every id is in exactly one bucket")
    repaired = ReconResult(
        matches=matches,
        offsetting=offsetting,
        unmatched_bank=unmatched_bank,
        unmatched_gl=unmatched_gl,
        candidates=candidates,
    )
    return repaired, notes


def _summary_title(state: Mapping[str, Any]) -> str:
    company = state.get("policy", {}).get("company") or ""
    return "Monthly reconciliation summary" + (f": {company}" if company else "")


@agent_node("reporting")
def report(state: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Compute the figures, write the commentary, render the summary for review."""
    rounds = state.get("report_rounds", 0) + 1
    bank, ledger = bank_lines(state), ledger_entries(state)
    recon = recon_of(state)
    update: dict[str, Any] = {}
    notes: list[str] = []
    if state.get("report_issues"):
        recon, notes = repair_partition(recon, [b.id for b in bank], [e.id for e in ledger])
        update["recon"] = recon.model_dump(mode="json")
    exceptions = [to_report_exception(r) for r in all_exceptions(state, include_report=False)]
    figures = build_summary(bank, ledger, recon, exceptions, currency=policy_of(state).currency)
    review = state.get("review") or {}
    comment = review.get("comment") if review.get("action") == "reject" and rounds == 1 else None
    text, source = commentary(ctx, figures, state.get("narrative"), comment)
    summary = render_summary_md(figures, exceptions, text, title=_summary_title(state))
    trace = current_trace()
    if trace:
        trace.decision = f"round {rounds}: {len(exceptions)} exceptions; commentary {source}" + (
            f"; repaired: {'; '.join(notes)}" if notes else ""
        )
    return {
        **update,
        "figures": figures.model_dump(mode="json"),
        "summary_md": summary,
        "narrative": text,
        "report_rounds": rounds,
        "repair_notes": notes,
    }


@agent_node("report_critic")
def critique(state: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Check the report's arithmetic in code; any broken identity sends it back."""
    issues = check_arithmetic(SummaryFigures.model_validate(state["figures"]))
    trace = current_trace()
    if trace:
        trace.decision = (
            f"{len(issues)} arithmetic problems: {issues[0]}" if issues else "figures add up"
        )
    return {
        "report_issues": issues,
        "report_issue_history": [*state.get("report_issue_history", []), issues],
    }


# --- reviewer decisions ---------------------------------------------------------------------


class DecisionError(ValueError):
    """Reviewer decisions that cannot be applied; each problem names the exception id."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


class _Book:
    """A working copy of the reconciliation that decisions are applied to, one by one."""

    def __init__(
        self,
        recon: ReconResult,
        bank: Mapping[str, Decimal],
        ledger: Mapping[str, Decimal],
        reviewer: str,
    ) -> None:
        self.bank, self.ledger, self.reviewer = bank, ledger, reviewer
        self.matches = list(recon.matches)
        self.offsetting = list(recon.offsetting)
        self.unmatched_bank = list(recon.unmatched_bank)
        self.unmatched_gl = list(recon.unmatched_gl)
        self.candidates = {c.bank_id: c for c in recon.candidates}

    def _candidate_gl(self) -> set[str]:
        return {g for c in self.candidates.values() for g in c.gl_ids}

    def _release(self, gl_ids: Iterable[str]) -> None:
        """Ledger ids no longer claimed by anything go back to the unmatched list."""
        placed = (
            {m.gl_id for m in self.matches}
            | set(self.unmatched_gl)
            | self._candidate_gl()
            | {g for p in self.offsetting for g in (p.gl_id_a, p.gl_id_b)}
        )
        self.unmatched_gl.extend(g for g in dict.fromkeys(gl_ids) if g not in placed)

    def _drop_candidate(self, bank_id: str, keep_bank_open: bool = True) -> None:
        cand = self.candidates.pop(bank_id, None)
        if cand is None:
            return
        if keep_bank_open:
            self.unmatched_bank.append(bank_id)
        self._release(cand.gl_ids)

    def book(self, bank_id: str, gl_ids: Sequence[str], note: str) -> str:
        if bank_id not in self.bank:
            raise ValueError(f"unknown bank id '{bank_id}'")
        if bank_id not in self.unmatched_bank and bank_id not in self.candidates:
            raise ValueError(f"bank line {bank_id} is already matched")
        if not gl_ids or len(set(gl_ids)) != len(gl_ids):
            raise ValueError("give one or more distinct gl_ids")
        open_gl = set(self.unmatched_gl) | self._candidate_gl()
        for gl in gl_ids:
            if gl not in self.ledger:
                raise ValueError(f"unknown ledger id '{gl}'")
            if gl not in open_gl:
                raise ValueError(f"ledger entry {gl} is already matched or offset")
        if bank_id in self.unmatched_bank:
            self.unmatched_bank.remove(bank_id)
        self.unmatched_gl = [g for g in self.unmatched_gl if g not in gl_ids]
        for other in list(self.candidates.values()):
            left = tuple(g for g in other.gl_ids if g not in gl_ids)
            if other.bank_id == bank_id or not left:
                self.candidates.pop(other.bank_id)
                if other.bank_id != bank_id:
                    self.unmatched_bank.append(other.bank_id)
                self._release(left)
            elif left != other.gl_ids:
                self.candidates[other.bank_id] = other.model_copy(update={"gl_ids": left})
        total = sum((self.ledger[g] for g in gl_ids), Decimal(0))
        kind = (
            "amount_mismatch"
            if total != self.bank[bank_id]
            else "one_to_one"
            if len(gl_ids) == 1
            else "batch"
        )
        reason = f"matched by {self.reviewer} in review" + (f": {note}" if note else "")
        self.matches.extend(
            Match(bank_id=bank_id, gl_id=g, kind=kind, confidence=1.0, reason=reason)
            for g in gl_ids
        )
        return f"match_to {' '.join(gl_ids)}" + (
            " (amount differs)" if kind == "amount_mismatch" else ""
        )

    def unbook(self, bank_id: str) -> None:
        gone = [m for m in self.matches if m.bank_id == bank_id]
        if not gone:
            raise ValueError(f"bank line {bank_id} is not matched any more")
        self.matches = [m for m in self.matches if m.bank_id != bank_id]
        self.unmatched_bank.append(bank_id)
        self._release(m.gl_id for m in gone)

    def apply(self, exc: Mapping[str, Any], decision: Mapping[str, Any]) -> str:
        """Apply one decision; returns how the exceptions file should record it."""
        action, kind, refs = decision["action"], exc["kind"], list(exc.get("refs", []))
        note = decision.get("note") or ""
        if action == "match_to":
            if kind in MATCHABLE_BANK:
                if decision.get("bank_ids") not in (None, [refs[0]]):
                    raise ValueError("bank_ids does not apply to a bank exception: give gl_ids")
                return self.book(refs[0], list(decision.get("gl_ids") or []), note)
            if kind in MATCHABLE_GL:
                bank_ids = list(decision.get("bank_ids") or [])
                if len(bank_ids) != 1:
                    raise ValueError("a ledger exception needs exactly one bank id in bank_ids")
                gl_ids = list(dict.fromkeys([refs[0], *(decision.get("gl_ids") or [])]))
                self.book(bank_ids[0], gl_ids, note)
                return f"match_to {bank_ids[0]}"
            raise ValueError(
                f"match_to does not apply to a {kind} exception; use accept, reject or note"
            )
        if kind == "ambiguous_match" and action in ("accept", "reject"):
            cand = self.candidates.get(refs[0])
            if cand is None:
                raise ValueError(f"bank line {refs[0]} was already settled by another decision")
            if action == "reject":
                self._drop_candidate(refs[0])
                return "reject"
            if len(cand.gl_ids) != 1:
                raise ValueError(
                    f"{len(cand.gl_ids)} ledger entries are possible"
                    f" ({', '.join(cand.gl_ids)}): use match_to with gl_ids"
                )
            self.book(refs[0], list(cand.gl_ids), note)
            return f"accept (booked {cand.gl_ids[0]})"
        if kind == "amount_mismatch" and action == "reject":
            self.unbook(refs[0])
            return "reject (match unbooked)"
        return str(action)

    def result(self) -> ReconResult:
        return ReconResult(
            matches=sorted(self.matches, key=lambda m: (m.bank_id, m.gl_id)),
            offsetting=self.offsetting,
            unmatched_bank=sorted(dict.fromkeys(self.unmatched_bank)),
            unmatched_gl=sorted(dict.fromkeys(self.unmatched_gl)),
            candidates=sorted(self.candidates.values(), key=lambda c: c.bank_id),
        )


def apply_decisions(
    recon: ReconResult,
    exceptions: Sequence[Mapping[str, Any]],
    decisions: Sequence[Mapping[str, Any]],
    bank_amounts: Mapping[str, Decimal],
    gl_amounts: Mapping[str, Decimal],
    reviewer: str,
) -> tuple[ReconResult, dict[str, dict[str, str]]]:
    """Apply per-exception decisions in order; raise :class:`DecisionError` listing every
    decision that cannot apply (unknown id, wrong action for the kind, ids not open).

    The review node calls this to validate an edit before accepting it, and the publish
    node calls it again to produce the outputs, so both agree by construction.
    """
    book = _Book(recon, bank_amounts, gl_amounts, reviewer)
    by_id = {e["id"]: e for e in exceptions}
    # A decision may name a packet item (a group or related exceptions merged): it is
    # applied to each member exception in turn.
    decisions, problems = expand_decisions(group_exceptions(exceptions), decisions)
    outcomes: dict[str, dict[str, str]] = {}
    for decision in decisions:
        exc = by_id.get(decision["id"])
        if exc is None:
            problems.append(f"unknown exception id '{decision['id']}'")
            continue
        try:
            label = book.apply(exc, decision)
        except ValueError as err:
            problems.append(f"{decision['id']}: {err}")
            continue
        outcomes[decision["id"]] = {
            "decision": label,
            "decided_by": reviewer,
            "note": decision.get("note") or "",
        }
    if problems:
        raise DecisionError(problems)
    return book.result(), outcomes


def decisions_of(state: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(((state.get("review") or {}).get("edits") or {}).get("decisions", []))


def amounts(state: Mapping[str, Any]) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    return (
        {b.id: b.amount for b in bank_lines(state)},
        {e.id: e.amount for e in ledger_entries(state)},
    )


# --- publishing -------------------------------------------------------------------------


def csv_text(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([safe_cell(v) for v in row] for row in rows)
    return buffer.getvalue()


def output_files(
    state: Mapping[str, Any],
    recon: ReconResult,
    exceptions: Sequence[Mapping[str, Any]],
    summary: str,
) -> dict[str, str]:
    """Every output file's text, computed before anything is written."""
    bank = {b.id: b for b in bank_lines(state)}
    ledger = {e.id: e for e in ledger_entries(state)}
    pending_bank = {c.bank_id: c.reason for c in recon.candidates}
    pending_gl = {g: f"candidate for {c.bank_id}" for c in recon.candidates for g in c.gl_ids}
    bank_rows = [(i, "unmatched", "") for i in recon.unmatched_bank]
    bank_rows += [
        (i, "pending_review", r) for i, r in pending_bank.items() if i not in recon.unmatched_bank
    ]
    placed_gl = set(recon.unmatched_gl) | {m.gl_id for m in recon.matches}
    gl_rows = [(i, "unmatched", "") for i in recon.unmatched_gl]
    gl_rows += [(i, "pending_review", r) for i, r in pending_gl.items() if i not in placed_gl]
    return {
        "matches.csv": csv_text(
            ("bank_id", "gl_id", "kind", "confidence", "reason"),
            ((m.bank_id, m.gl_id, m.kind, f"{m.confidence:.3f}", m.reason) for m in recon.matches),
        ),
        "offsetting.csv": csv_text(
            ("gl_id_a", "gl_id_b", "reason"),
            ((p.gl_id_a, p.gl_id_b, p.reason) for p in recon.offsetting),
        ),
        "unmatched_bank.csv": csv_text(
            ("id", "date", "description", "amount", "status", "reason"),
            (
                (i, bank[i].date.isoformat(), bank[i].description, str(bank[i].amount), s, r)
                for i, s, r in bank_rows
                if i in bank
            ),
        ),
        "unmatched_gl.csv": csv_text(
            ("id", "date", "description", "amount", "ref", "status", "reason"),
            (
                (
                    i,
                    ledger[i].date.isoformat(),
                    ledger[i].description,
                    str(ledger[i].amount),
                    ledger[i].ref,
                    s,
                    r,
                )
                for i, s, r in gl_rows
                if i in ledger
            ),
        ),
        "exceptions.csv": csv_text(
            (
                "id",
                "kind",
                "severity",
                "amount",
                "detail",
                "decision",
                "decided_by",
                "note",
                "refs",
                "citation",
                "explanation",
                "suggested_action",
            ),
            (
                (
                    e["id"],
                    e["kind"],
                    e["severity"],
                    e.get("amount"),
                    e["detail"],
                    e["decision"],
                    e["decided_by"],
                    e["note"],
                    " ".join(e.get("refs", [])),
                    e.get("citation"),
                    e.get("explanation"),
                    e.get("suggested_action"),
                )
                for e in exceptions
            ),
        ),
        "summary.md": summary,
    }


def review_paragraph(review: Mapping[str, Any], outcomes: Mapping[str, Mapping[str, str]]) -> str:
    who = review.get("reviewer", "baton")
    text = f"Review: {review.get('action', 'approve')} by {who}"
    if review.get("comment"):
        text += f" ({review['comment']})"
    text += f"; {len(outcomes)} exception decision(s)."
    if outcomes:
        text += " " + "; ".join(f"{i}: {o['decision']}" for i, o in outcomes.items()) + "."
    return text


@agent_node("publish")
def publish(state: dict[str, Any], ctx: RunContext) -> dict[str, Any]:
    """Apply the reviewer's decisions, recompute the figures, and write every output."""
    review = state.get("review") or {}
    bank_amounts, gl_amounts = amounts(state)
    rows = all_exceptions(state)
    try:
        recon, outcomes = apply_decisions(
            recon_of(state),
            rows,
            decisions_of(state),
            bank_amounts,
            gl_amounts,
            str(review.get("reviewer", "baton")),
        )
    except DecisionError as err:  # validated at review; only a changed engine gets here
        raise UserError(f"review decisions no longer apply: {err}") from None
    decided = [
        {
            **r,
            "decision": outcomes.get(r["id"], {}).get("decision", "open"),
            "decided_by": outcomes.get(r["id"], {}).get("decided_by", ""),
            "note": outcomes.get(r["id"], {}).get("note", ""),
        }
        for r in rows
    ]
    shown = [
        to_report_exception(
            {
                **r,
                "detail": r["detail"]
                + (f" [{r['decision']} by {r['decided_by']}]" if r["decided_by"] else ""),
            }
        )
        for r in decided
    ]
    figures = build_summary(
        bank_lines(state), ledger_entries(state), recon, shown, currency=policy_of(state).currency
    )
    problems = check_arithmetic(figures)
    narrative = str(state.get("narrative") or "")
    if not narrative or not quoted_numbers(narrative) <= quoted_numbers(figure_facts(figures)):
        narrative = fallback_commentary(figures)  # decisions changed the figures it quoted
    narrative += "\n\n" + review_paragraph(review, outcomes)
    if problems:
        narrative += "\n\n**Arithmetic warnings:** " + "; ".join(problems)
    summary = render_summary_md(figures, shown, narrative, title=_summary_title(state))
    files: dict[str, str | bytes] = dict(output_files(state, recon, decided, summary))
    weeks = weekly_totals(bank_lines(state), recon)  # the chart beside summary.md
    files["summary.png"] = render_chart(weeks, policy_of(state).currency, "png")
    paths = [str(atomic_write(ctx.output_dir / name, data)) for name, data in files.items()]
    trace = current_trace()
    if trace:
        added = len(recon.matches) - len(recon_of(state).matches)
        trace.decision = (
            f"wrote {len(paths)} files; {len(outcomes)} decisions applied"
            f" ({added} match rows added)"
            + (f"; {len(problems)} arithmetic warnings" if problems else "")
        )
    return {"outputs": paths}
