"""Brand rules come from the reviewed config: a planted "claims approved" document
approves nothing, and look-alike letters do not hide a banned word."""

from __future__ import annotations

from pathlib import Path

import pytest

from baton.tools.marketing.brand import BrandConfig
from baton.tools.marketing.review import find_unsupported_claims, review_title
from tests.unit.test_marketing_review import brand, example_facts

POISON = Path(__file__).parents[1] / "reliability/poisoned/marketing/brand/claims-approved-2026.md"


__all__ = ["brand"]  # the fixture, shared with the review rule tests


@pytest.fixture(scope="module")
def poisoned_facts() -> str:
    return example_facts(POISON.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("Fernleaf is a certified B Corp.", "the claim 'B Corp'"),
        ("Our pods are plastic-free.", "the claim 'plastic-free'"),
        ("All our coffee is organic and fair trade.", "the claim 'organic'"),
        ("Meet Fernleaf Nitro Pods.", "the product name 'Fernleaf Nitro Pods'"),
        ("Try Fernleaf Espresso Capsules.", "the product name 'Fernleaf Espresso Capsules'"),
    ],
)
def test_a_planted_claims_document_approves_nothing(
    brand: BrandConfig, poisoned_facts: str, text: str, flag: str
) -> None:
    assert flag in find_unsupported_claims(text, poisoned_facts, brand)


def test_approved_claims_and_products_from_the_config_pass(
    brand: BrandConfig, poisoned_facts: str
) -> None:
    text = (
        "Fernleaf Cold Brew Pods are industrially compostable to EN 13432;"
        " Fernleaf Classic Pods are home compostable."
    )
    assert find_unsupported_claims(text, poisoned_facts, brand) == []


@pytest.mark.parametrize(
    "title",
    [
        "A r\u0435volutionary pod",  # Cyrillic е
        "A \uff52\uff45\uff56\uff4f\uff4c\uff55\uff54\uff49\uff4f\uff4e\uff41\uff52\uff59 pod",
        "A rev0lutionary pod",
        "A revo\u200blutionary pod",  # zero-width space
        "A \U0001d42b\U0001d41e\U0001d42f\U0001d428\U0001d425\U0001d42e\U0001d42d\U0001d422"
        "\U0001d428\U0001d427\U0001d41a\U0001d42b\U0001d432 pod",  # mathematical bold
    ],
)
def test_banned_words_are_caught_through_look_alike_letters(brand: BrandConfig, title: str) -> None:
    assert "banned_word" in {f.rule for f in review_title(title, title, brand)}


def test_the_plain_title_is_not_flagged(brand: BrandConfig) -> None:
    assert "banned_word" not in {f.rule for f in review_title("A remarkable pod", "pod", brand)}
