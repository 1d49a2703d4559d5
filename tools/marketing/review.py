"""Deterministic review of a writer's outline against brand and SEO rules.

The critic in the graph is this code, not a model: each rule returns a precise,
fixable message ("title is 72 characters; shorten it to 60 or fewer") that is fed
back to the writer. :func:`failure_rounds` lets the loop stop once the writer keeps
producing the same failures, because a 135M model that did not fix a rule twice will
not fix it a third time.

Claim check (conservative by design: it may flag a true statement, it should not
pass an invented one). The "allowed facts" are the roadmap plus the brand documents;
in the outline

* every number except list counts 1-10 (percentages, prices, sizes, years, any
  number with a unit or currency) must occur in the facts;
* every product name - a configured prefix ("Fernleaf") followed by capitalised words -
  must start with the first two words of an ``approved_products`` entry ("Fernleaf
  Ultra" is flagged, "Fernleaf Cold Brew Pods Arrive" is not);
* every configured claim term ("home compostable", "carbon neutral") must occur in an
  ``approved_claims`` entry.

Products and claims come from the reviewed brand config only: a brand document that
says "we are B Corp certified" or lists a new product line approves nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import textstat
from slugify import slugify

from baton.confusables import skeleton
from baton.tools.marketing._text import contains_phrase, contains_stemmed, words
from baton.tools.marketing.brand import BrandConfig
from baton.tools.marketing.models import Outline, ReviewFailure, ReviewRule, Roadmap

_NUMBER_RE = re.compile(r"([£$€]?)(\d+(?:[.,]\d+)*)(\s?%|\s?percent\b)?", re.IGNORECASE)


def _outline_fields(outline: Outline) -> list[tuple[str, str]]:
    """(field label, text) pairs in reading order, used by every text rule."""
    fields = [("title", outline.title), ("meta description", outline.meta_description)]
    fields += [(f"H2 {i + 1}", h) for i, h in enumerate(outline.h2s)]
    fields += [(f"key point {i + 1}", k) for i, k in enumerate(outline.key_points)]
    fields += [("call to action", outline.call_to_action), ("slug", outline.slug.replace("-", " "))]
    return fields


def _listing(labels: Sequence[str]) -> str:
    return ", ".join(labels)


def _word_rules(fields: Sequence[tuple[str, str]], brand: BrandConfig) -> list[ReviewFailure]:
    """Banned words (must go) and discouraged words (must be replaced by the preferred one).

    Matched on stems, so inflected forms ("utilising", "disruption") are caught too, and
    on the confusables skeleton, so look-alike letters ("rеvolutionary" with a Cyrillic
    "е", full-width or zero-width tricks) are caught as well.
    """
    out: list[ReviewFailure] = []
    fields = [(label, skeleton(text)) for label, text in fields]
    rules: list[tuple[str, ReviewRule, str]] = [
        (w, "banned_word", f"remove the banned word {w!r} from") for w in brand.banned_words
    ]
    rules += [
        (avoid, "preferred_word", f"write {prefer!r} instead of {avoid!r} in")
        for avoid, prefer in brand.preferred_words.items()
    ]
    for word, rule, fix in rules:
        hits = [label for label, text in fields if contains_stemmed(text, word)]
        if hits:
            out.append(ReviewFailure(rule=rule, message=f"{fix}: {_listing(hits)}"))
    return out


def review_title(title: str, keyword: str, brand: BrandConfig) -> list[ReviewFailure]:
    """Rules a title must meet on its own; also applied to titles a person edits."""
    return _word_rules([("title", title)], brand) + _title_rules(title, keyword, brand)


def _length_rule(rule: ReviewRule, what: str, text: str, limit: int) -> list[ReviewFailure]:
    """An empty or over-long field, told with the limit the writer must meet."""
    if not text.strip():
        return [ReviewFailure(rule=rule, message=f"{what} is empty")]
    if len(text) > limit:
        message = f"{what} is {len(text)} characters; shorten it to {limit} or fewer"
        return [ReviewFailure(rule=rule, message=message)]
    return []


def _title_rules(title: str, keyword: str, brand: BrandConfig) -> list[ReviewFailure]:
    out = _length_rule("title_length", "title", title, brand.title_max_chars)
    if not contains_phrase(title, keyword):
        out.append(
            ReviewFailure(
                rule="keyword_in_title", message=f"put the keyword {keyword!r} in the title"
            )
        )
    return out


def _numbers(text: str) -> list[tuple[str, str]]:
    """(as written, canonical value) of every number in ``text`` that counts as a claim."""
    out: list[tuple[str, str]] = []
    for match in _NUMBER_RE.finditer(text):
        currency, digits, percent = match.group(1), match.group(2), match.group(3)
        canonical = digits.replace(",", "")
        if not currency and not percent and canonical.isdigit() and 1 <= int(canonical) <= 10:
            continue
        out.append((match.group(0).strip(), canonical))
    return out


def _product_names(text: str, prefixes: Iterable[str]) -> list[str]:
    names: list[str] = []
    for prefix in prefixes:
        pattern = re.compile(rf"\b{re.escape(prefix)}(?:\s+[A-Z0-9][\w’'&-]*)*")
        names += [m.group(0) for m in pattern.finditer(text)]
    return names


def find_unsupported_claims(text: str, facts_text: str, brand: BrandConfig) -> list[str]:
    """Numbers, product names and claim terms in ``text`` that the facts do not state."""
    facts_numbers = {m.group(2).replace(",", "") for m in _NUMBER_RE.finditer(facts_text)}
    claims: list[str] = []
    for shown, canonical in _numbers(text):
        if canonical not in facts_numbers:
            claims.append(f"the number {shown!r}")
    for name in _product_names(text, brand.product_prefixes):
        first = " ".join(name.split()[:2])
        if len(name.split()) >= 2 and not any(
            contains_phrase(p, first) for p in brand.approved_products
        ):
            claims.append(f"the product name {name!r}")
    plain = skeleton(text)
    for term in brand.claim_terms:
        if contains_phrase(plain, term) and not any(
            contains_phrase(c, term) for c in brand.approved_claims
        ):
            claims.append(f"the claim {term!r}")
    return list(dict.fromkeys(claims))


def _reading_text(outline: Outline) -> str:
    parts = [outline.title, outline.meta_description, *outline.h2s, *outline.key_points]
    return " ".join(
        p.strip() if p.strip().endswith((".", "!", "?")) else f"{p.strip()}."
        for p in parts
        if p.strip()
    )


def reading_grade(text: str) -> float:
    """Flesch-Kincaid grade of ``text`` (textstat), rounded to one decimal."""
    return round(float(textstat.flesch_kincaid_grade(text)), 1)


def review_outline(
    outline: Outline, brand: BrandConfig, facts_text: str, *, target_keyword: str | None = None
) -> list[ReviewFailure]:
    """All rule failures of ``outline``; an empty list means it may be published.

    ``target_keyword`` is the planned keyword; pass it so a writer cannot pass the
    keyword checks by changing the keyword field.
    """
    keyword = target_keyword or outline.target_keyword
    fields = _outline_fields(outline)
    out = _word_rules(fields, brand) + _title_rules(outline.title, keyword, brand)

    out += _length_rule(
        "meta_description_length",
        "meta description",
        outline.meta_description,
        brand.meta_description_max_chars,
    )
    if not outline.h2s or not contains_phrase(outline.h2s[0], keyword):
        out.append(
            ReviewFailure(
                rule="keyword_in_h2", message=f"put the keyword {keyword!r} in the first H2"
            )
        )
    if not outline.slug or outline.slug != slugify(outline.slug):
        out.append(
            ReviewFailure(
                rule="slug_format",
                message="slug must be lower-case words joined by hyphens, "
                f"e.g. {slugify(outline.title, max_length=60, word_boundary=True)!r}",
            )
        )
    key_slug = slugify(keyword)
    if f"-{key_slug}-" not in f"-{outline.slug}-":
        out.append(ReviewFailure(rule="keyword_in_slug", message=f"put {key_slug!r} in the slug"))
    if not any(contains_phrase(outline.call_to_action, cta) for cta in brand.required_ctas):
        choices = "; ".join(repr(c) for c in brand.required_ctas)
        out.append(
            ReviewFailure(
                rule="call_to_action", message=f"the call to action must use one of: {choices}"
            )
        )

    claim_text = "\n".join(text for label, text in fields if label != "slug")
    for claim in find_unsupported_claims(claim_text, facts_text, brand):
        out.append(
            ReviewFailure(
                rule="unsupported_claim",
                message=f"{claim} is not stated in the roadmap or brand documents, or not"
                " approved in the brand config; remove it or use a stated fact",
            )
        )

    text = _reading_text(outline)
    if len(words(text)) >= brand.reading_level.min_words:
        grade = reading_grade(text)
        if grade > brand.reading_level.max_grade:
            out.append(
                ReviewFailure(
                    rule="reading_level",
                    message=f"reading grade is {grade}; aim for "
                    f"{brand.reading_level.max_grade:g} or below with shorter sentences "
                    "and simpler words",
                )
            )
    return out


def build_facts_text(roadmap: Roadmap, documents: Iterable[str]) -> str:
    """The allowed-facts text for the claim check: roadmap events plus brand documents.

    Dates are written both ISO and long form ("12 November 2026") so a writer may use
    either.
    """
    lines: list[str] = []
    for e in roadmap.events:
        lines.append(f"{e.name}. {e.keyword or ''}. {e.audience}.")
        lines.append(f"{e.date.isoformat()} {e.date.day} {e.date:%B %Y}.")
        lines += list(e.key_messages)
    lines += list(documents)
    return "\n".join(lines)


def failure_rounds(
    history: Sequence[Sequence[ReviewFailure | Mapping[str, Any]]],
) -> list[frozenset[tuple[str, str]]]:
    """Each review round as the set of its (rule, message) failures: the feedback that
    :func:`baton.loops.keep_revising` compares for a repeat.

    Rule *and* message count, so shrinking a title from 72 to 65 characters counts as
    progress and the loop goes on; an identical failure set twice means it will not.
    """
    return [
        frozenset(
            (f.rule, f.message) if isinstance(f, ReviewFailure) else (f["rule"], f["message"])
            for f in review
        )
        for review in history
    ]
