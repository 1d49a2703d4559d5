"""The report critic: checks in code that a draft may go to an approver.

A draft passes only if every applicable clause has its section, every number in the
prose equals a computed figure (or a number the register itself states), every section
cites its clause's chunk, and no personal data appears. Personal data is found with
maintained parsers where one exists (``phonenumbers`` for telephone numbers in any
national format) and rules elsewhere (e-mail addresses; the names of people listed in
``people.csv``; a title followed by a capitalised name). RELIABILITY.md reports the
detector's recall on the seeded generator's planted personal data.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal, InvalidOperation

import phonenumbers

from baton.tools.compliance.models import Clause, Figure

_NUMBER = re.compile(
    r"(?<![\w.])[-+]?\d{1,3}(?:,\d{3})+(?:\.\d+)?%?|(?<![\w.])[-+]?\d+(?:\.\d+)?%?"
)
_EMAIL = re.compile(r"[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63})+")
_TITLED = re.compile(r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Prof)\.?\s+[A-Z][a-z]+(?:[ -][A-Z][a-z]+)?")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_CITE = re.compile(r"\[cite:\s*([0-9a-f]{16})\]")
_CLAUSE_NUMBER = re.compile(r"[A-Z][A-Z0-9]*-(\d+(?:\.\d+)?)")


def numbers_in(text: str) -> list[Decimal]:
    """Every number written in ``text`` (1,234 and 12.5% included; clause ids excluded)."""
    text = _CLAUSE_NUMBER.sub(" ", _CITE.sub(" ", text))
    out = []
    for match in _NUMBER.finditer(text):
        raw = match.group(0).rstrip("%").replace(",", "")
        try:
            out.append(Decimal(raw))
        except InvalidOperation:
            continue
    return out


def allowed_numbers(
    figures: Mapping[str, Figure], clauses: Sequence[Clause], extra: Iterable[str]
) -> set[Decimal]:
    """Numbers prose may state: computed figures, thresholds and what the register writes."""
    allowed = {f.value for f in figures.values() if f.value is not None}
    for clause in clauses:
        if clause.threshold is not None:
            allowed.add(clause.threshold.value)
        allowed.add(Decimal(clause.deadline_days))
        allowed.update(numbers_in(clause.title))
    for text in extra:
        allowed.update(numbers_in(text))
    return {a.normalize() for a in allowed}


def personal_data(text: str, people: Sequence[str]) -> list[str]:
    """What in ``text`` looks like personal data: e-mail, phone number, a known or titled name."""
    text = _CITE.sub(" ", text)
    found = [f"email address {m.group(0)!r}" for m in _EMAIL.finditer(text)]
    for region in ("GB", "US"):
        # POSSIBLE finds numbers in reserved ranges too (07700 900xxx is still someone's
        # number), but also years and dates; keep those with ten or more digits that are
        # not an ISO date.
        lenient = phonenumbers.Leniency.POSSIBLE
        for match in phonenumbers.PhoneNumberMatcher(text, region, leniency=lenient):
            raw = match.raw_string
            if sum(ch.isdigit() for ch in raw) >= 10 and not _ISO_DATE.search(raw):
                found.append(f"phone number {raw!r}")
    folded = text.casefold()
    for name in people:
        parts = [p for p in re.split(r"\s+", name.strip()) if len(p) > 1]
        if len(parts) >= 2 and " ".join(parts).casefold() in folded:
            found.append(f"the name {name!r}")
        elif (
            parts and len(parts[-1]) > 3 and re.search(rf"\b{re.escape(parts[-1])}\b", text)
        ):  # a surname alone still identifies a member of staff
            found.append(f"the surname of {name!r}")
    found += [f"the name {m.group(0)!r}" for m in _TITLED.finditer(text)]
    return sorted(set(found))


def cited_ids(text: str) -> list[str]:
    return _CITE.findall(text)


def check_sections(
    sections: Mapping[str, str],
    clauses: Sequence[Clause],
    figures: Mapping[str, Figure],
    clause_chunks: Mapping[str, str | None],
    people: Sequence[str],
    register_text: Iterable[str] = (),
) -> list[str]:
    """All problems with a draft; an empty list means it may go to the approver."""
    issues: list[str] = []
    allowed = allowed_numbers(figures, clauses, register_text)
    for clause in clauses:
        text = sections.get(clause.id, "")
        if not text.strip():
            issues.append(f"{clause.id}: section '{clause.section}' is missing")
            continue
        stray = sorted({n for n in numbers_in(text) if n.normalize() not in allowed})
        if stray:
            issues.append(
                f"{clause.id}: {', '.join(f'{n:f}' for n in stray)} is not a computed figure"
            )
        chunk = clause_chunks.get(clause.id)
        cites = cited_ids(text)
        if chunk is None:
            issues.append(f"{clause.id}: no reviewed source text found for this clause")
        elif chunk not in cites:
            issues.append(f"{clause.id}: does not cite the clause's source chunk")
        wrong = [c for c in cites if c != chunk]
        if wrong:
            issues.append(f"{clause.id}: cites {wrong[0]}, which is not this clause's chunk")
        for item in personal_data(text, people):
            issues.append(f"{clause.id}: contains personal data ({item})")
    extra = sorted(set(sections) - {c.id for c in clauses})
    if extra:
        issues.append(f"section {extra[0]} is not an applicable clause")
    return issues
