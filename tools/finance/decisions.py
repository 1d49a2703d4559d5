"""Reviewer decisions applied to a reconciliation, in code, one by one.

The review gate validates an edit with :func:`apply_decisions` before accepting it, and
publishing applies the same decisions again to produce the outputs: one function, so
what the reviewer was told would happen is what happens. A decision names an exception
or a packet item (a group or related exceptions merged), and every problem names the id
it is about, so a reviewer can fix a decisions file from the message alone.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

from baton.tools.finance.models import Match, ReconResult
from baton.tools.finance.packet import expand_decisions, group_exceptions

MATCHABLE_BANK = frozenset({"unmatched_bank", "ambiguous_match"})
MATCHABLE_GL = frozenset({"unmatched_ledger"})


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
        if cand.residual is not None:
            # Rejecting the rest of a partly booked batch rejects the batch hypothesis:
            # the certain members go back too, so the whole line is open again rather
            # than half booked with its residual gone.
            gone = [m.gl_id for m in self.matches if m.bank_id == bank_id]
            self.matches = [m for m in self.matches if m.bank_id != bank_id]
            self._release(gone)
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
        residual = self.candidates[bank_id].residual if bank_id in self.candidates else None
        for other in list(self.candidates.values()):
            left = tuple(g for g in other.gl_ids if g not in gl_ids)
            if other.bank_id != bank_id and other.residual is not None:
                # A partly booked line keeps its residual open even with nothing to offer.
                self.candidates[other.bank_id] = other.model_copy(update={"gl_ids": left})
            elif other.bank_id == bank_id or not left:
                self.candidates.pop(other.bank_id)
                if other.bank_id != bank_id:
                    self.unmatched_bank.append(other.bank_id)
                self._release(left)
            elif left != other.gl_ids:
                self.candidates[other.bank_id] = other.model_copy(update={"gl_ids": left})
        total = sum((self.ledger[g] for g in gl_ids), Decimal(0))
        # The rest of a partly booked batch: the entries complete the batch's residual.
        target = self.bank[bank_id] if residual is None else residual
        kind = (
            "amount_mismatch"
            if total != target
            else "one_to_one"
            if len(gl_ids) == 1 and residual is None
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
        # A difference the engine booked, or a pair a model booked after the re-check:
        # rejecting it takes the booking back.
        if kind in ("amount_mismatch", "model_booked") and action == "reject":
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
    decisions, problems = expand_decisions(group_exceptions(exceptions, recon), decisions)
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
