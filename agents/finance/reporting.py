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

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field

from baton.agents.finance.state import (
    all_exceptions,
    bank_lines,
    hosted,
    ledger_entries,
    policy_of,
    quoted_numbers,
    recon_of,
    to_report_exception,
)
from baton.audit import agent_node, current_trace
from baton.context import RunContext
from baton.errors import UserError
from baton.llm import ask_structured
from baton.outputs import atomic_write
from baton.tools.finance.chart import render_chart, weekly_totals
from baton.tools.finance.decisions import DecisionError, apply_decisions
from baton.tools.finance.export import output_files
from baton.tools.finance.report import (
    SummaryFigures,
    build_summary,
    check_arithmetic,
    fallback_commentary,
    figure_facts,
    render_summary_md,
    repair_partition,
)

PROMPT = (
    "You write the commentary of a monthly bank reconciliation for a finance manager: two"
    " short, plain sentences. Quote only the figures given; never compute new ones."
)


class Commentary(BaseModel):
    text: str = Field(description="two short sentences", max_length=200)


# --- figures and commentary ---------------------------------------------------------------


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


def decisions_of(state: Mapping[str, Any]) -> list[dict[str, Any]]:
    return list(((state.get("review") or {}).get("edits") or {}).get("decisions", []))


def amounts(state: Mapping[str, Any]) -> tuple[dict[str, Decimal], dict[str, Decimal]]:
    return (
        {b.id: b.amount for b in bank_lines(state)},
        {e.id: e.amount for e in ledger_entries(state)},
    )


# --- publishing -------------------------------------------------------------------------


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
    files: dict[str, str | bytes] = dict(
        output_files(bank_lines(state), ledger_entries(state), recon, decided, summary)
    )
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
