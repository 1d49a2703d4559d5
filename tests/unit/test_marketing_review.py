"""Each review rule fails when broken and passes when met; the critic loop's early stop."""

from __future__ import annotations

import pytest

from baton.loops import feedback_repeats
from baton.tools.marketing.brand import BrandConfig, load_brand_config
from baton.tools.marketing.inputs import load_brand_documents, load_roadmap
from baton.tools.marketing.models import ReviewFailure
from baton.tools.marketing.review import (
    build_facts_text,
    failure_rounds,
    find_unsupported_claims,
    review_outline,
    review_title,
)
from baton.tools.marketing.testing import EXAMPLE_DIR, good_outline


@pytest.fixture(scope="module")
def brand() -> BrandConfig:
    return load_brand_config()


def example_facts(*extra_documents: str) -> str:
    """The facts text of the example month's roadmap and brand documents, plus any extra."""
    roadmap = load_roadmap(EXAMPLE_DIR / "roadmap.yaml", "2026-11")
    docs = [t for _, t in load_brand_documents(EXAMPLE_DIR / "brand")]
    return build_facts_text(roadmap, [*docs, *extra_documents])


@pytest.fixture(scope="module")
def facts() -> str:
    return example_facts()


def _rules(failures: list[ReviewFailure]) -> set[str]:
    return {f.rule for f in failures}


def test_good_outline_passes(brand: BrandConfig, facts: str) -> None:
    assert review_outline(good_outline(), brand, facts) == []


@pytest.mark.parametrize(
    ("overrides", "rule", "fragment"),
    [
        ({"key_points": ["A revolutionary pod."]}, "banned_word", "'revolutionary'"),
        ({"h2s": ["Cold brew pods, zero-waste"]}, "banned_word", "'zero waste' from: H2 1"),
        ({"key_points": ["We are utilising new pods."]}, "preferred_word", "'use' instead of"),
        ({"title": "Cold brew pods " + "x" * 46}, "title_length", "61 characters"),
        ({"meta_description": "m" * 156}, "meta_description_length", "156 characters"),
        ({"meta_description": " "}, "meta_description_length", "empty"),
        ({"title": "Smooth coffee at home"}, "keyword_in_title", "'cold brew pods'"),
        ({"h2s": ["Why it matters", "Cold brew pods"]}, "keyword_in_h2", "first H2"),
        ({"h2s": []}, "keyword_in_h2", "first H2"),
        ({"slug": "smooth-coffee-at-home"}, "keyword_in_slug", "'cold-brew-pods'"),
        ({"slug": "Cold Brew Pods"}, "slug_format", "lower-case words"),
        ({"call_to_action": "Buy now!"}, "call_to_action", "Start your Fernleaf subscription"),
        ({"key_points": ["Now 45% cheaper."]}, "unsupported_claim", "'45%'"),
        (
            {"key_points": ["Meet Fernleaf Ultra Pods."]},
            "unsupported_claim",
            "'Fernleaf Ultra Pods'",
        ),
        ({"key_points": ["They are plastic-free."]}, "unsupported_claim", "'plastic-free'"),
        (
            {
                "key_points": [
                    "Characteristically, comprehensive environmental considerations necessitate "
                    "sophisticated organisational methodologies, particularly regarding "
                    "industrialised decomposition infrastructure and administrative "
                    "responsibilities."
                ]
            },
            "reading_level",
            "reading grade is",
        ),
    ],
)
def test_each_rule_fails_when_broken(
    brand: BrandConfig, facts: str, overrides: dict[str, object], rule: str, fragment: str
) -> None:
    failures = review_outline(good_outline(**overrides), brand, facts)
    matching = [f for f in failures if f.rule == rule]
    assert matching, failures
    assert any(fragment in f.message for f in matching), matching


def test_boundaries_pass(brand: BrandConfig, facts: str) -> None:
    title = "Cold brew pods " + "x" * 45  # exactly 60
    meta = "m" * 155
    outline = good_outline(title=title, meta_description=meta)
    assert len(outline.title) == 60
    assert not _rules(review_outline(outline, brand, facts)) & {
        "title_length",
        "meta_description_length",
    }


def test_planned_keyword_overrides_outline_field(brand: BrandConfig, facts: str) -> None:
    outline = good_outline(target_keyword="smooth coffee")  # the writer changed the field
    assert "keyword_in_h2" in _rules(review_outline(outline, brand, facts))
    assert review_outline(outline, brand, facts, target_keyword="cold brew pods") == []
    failures = review_outline(good_outline(), brand, facts, target_keyword="home composting")
    assert {"keyword_in_title", "keyword_in_h2", "keyword_in_slug"} <= _rules(failures)


def test_claims_that_are_in_the_facts_pass(brand: BrandConfig, facts: str) -> None:
    text = (
        "Fernleaf Cold Brew Pods cost £4.50 a box and are industrially compostable to EN 13432. "
        "Our carbon intensity was 1.78 kg CO2e per box, down 8% on 2024. Five tips for you. "
        "Fernleaf Classic Pods Are Home Compostable."
    )
    assert find_unsupported_claims(text, facts, brand) == []


def test_claim_check_flags_invented_numbers_products_and_terms(
    brand: BrandConfig, facts: str
) -> None:
    text = "Fernleaf Nitro is B Corp certified, costs £2.99 and saves 12,500 pods."
    claims = find_unsupported_claims(text, facts, brand)
    assert "the product name 'Fernleaf Nitro'" in claims
    assert "the claim 'B Corp'" in claims
    assert "the number '£2.99'" in claims
    assert "the number '12,500'" in claims


def test_reading_level_skips_short_outlines(brand: BrandConfig, facts: str) -> None:
    outline = good_outline(
        title="Cold brew pods",
        meta_description="Characteristically sophisticated methodologies.",
        h2s=["Cold brew pods"],
        key_points=[],
    )
    assert "reading_level" not in _rules(review_outline(outline, brand, facts))


def test_review_title_for_human_edits(brand: BrandConfig) -> None:
    assert review_title("Cold brew pods at home", "cold brew pods", brand) == []
    assert _rules(review_title("", "cold brew pods", brand)) == {"title_length", "keyword_in_title"}
    assert _rules(review_title("Guilt-free cold brew pods", "cold brew pods", brand)) == {
        "banned_word"
    }


def test_failure_rounds_make_a_repeat_of_the_same_failure_set() -> None:
    a = [ReviewFailure(rule="title_length", message="title is 72 characters")]
    b = [ReviewFailure(rule="title_length", message="title is 65 characters")]
    assert not feedback_repeats(failure_rounds([]))
    assert not feedback_repeats(failure_rounds([a]))
    assert not feedback_repeats(failure_rounds([a, b]))  # progress: the message changed
    assert feedback_repeats(failure_rounds([b, a, list(reversed(a))]))
    assert feedback_repeats(failure_rounds([a, [f.model_dump() for f in a + a]]))  # same set
    assert not feedback_repeats(failure_rounds([[], []]))  # nothing left to fix: not "stuck"


def test_a_banned_word_is_reported_once_with_every_place(brand: BrandConfig, facts: str) -> None:
    outline = good_outline(
        title="Disruptive cold brew pods", key_points=["A disruption in your kitchen."]
    )
    failures = [f for f in review_outline(outline, brand, facts) if f.rule == "banned_word"]
    assert len(failures) == 1
    assert failures[0].message == "remove the banned word 'disruptive' from: title, key point 1"
