"""Brand rules (``configs/brand.yaml``): the policy the review step enforces in code.

Kept as data rather than prompt text because a small model cannot be trusted to obey
"never say biodegradable"; the reviewer checks every outline against these lists and
sends precise failures back to the writer.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from baton.configs import CONFIG_DIR
from baton.tools.yamlmodel import PLAIN_MESSAGES, config_error, load_yaml_model

DEFAULT_BRAND_CONFIG = CONFIG_DIR / "brand.yaml"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReadingLevel(_Frozen):
    """Flesch-Kincaid grade ceiling; texts shorter than ``min_words`` are not graded.

    Readability formulas are noise on a 15-word outline, so short outlines are skipped
    rather than failed at random.
    """

    max_grade: float = Field(default=9.0, gt=0, le=20)
    min_words: int = Field(default=25, ge=1)


class BrandConfig(_Frozen):
    """Everything the reviewer needs to judge an outline against the brand.

    A run uses ``brand.yaml`` from its input folder when there is one, else the
    configured default (``configs/brand.yaml``).

    ``preferred_words`` maps a word to avoid onto the word to use instead.
    ``product_prefixes`` are the words that start product names ("Fernleaf"), used to
    spot product names the writer may have invented; ``approved_products`` are the real
    ones. ``claim_terms`` are regulated or risky phrases ("home compostable", "carbon
    neutral") that may only appear when ``approved_claims`` allows them.
    ``research_ignore_words`` keeps competitor brand names out of the topic-gap analysis.

    Which claims are approved, which products exist and which words are banned come
    from this reviewed file only, never from ingested documents: a planted
    "claims-approved-2026.md" in the brand folder is evidence at most, not authority.
    """

    brand_name: str = Field(min_length=1)
    description: str = Field(default="", max_length=200)
    """Who the brand is, in a few words, for the writer's prompt ("a UK bicycle servicing
    subscription"); the company's facts come from here and the run's documents, never
    from Baton's code."""
    tone: list[str] = Field(min_length=1)
    banned_words: list[str] = Field(default_factory=list)
    preferred_words: dict[str, str] = Field(default_factory=dict)
    reading_level: ReadingLevel = Field(default_factory=ReadingLevel)
    title_max_chars: int = Field(default=60, ge=10)
    meta_description_max_chars: int = Field(default=155, ge=20)
    required_ctas: list[str] = Field(min_length=1)
    product_prefixes: list[str] = Field(default_factory=list)
    claim_terms: list[str] = Field(default_factory=list)
    approved_claims: list[str] = Field(default_factory=list)
    approved_products: list[str] = Field(default_factory=list)
    research_ignore_words: list[str] = Field(default_factory=list)

    @field_validator(
        "banned_words",
        "claim_terms",
        "approved_claims",
        "approved_products",
        "research_ignore_words",
        "required_ctas",
        "tone",
    )
    @classmethod
    def _no_blank_entries(cls, value: list[str]) -> list[str]:
        for i, item in enumerate(value):
            if not item.strip():
                raise ValueError(f"entry {i} is blank")
        return [item.strip() for item in value]

    @model_validator(mode="after")
    def _preferred_not_banned(self) -> BrandConfig:
        banned = {w.lower() for w in self.banned_words}
        for avoid, prefer in self.preferred_words.items():
            if prefer.lower() in banned:
                raise ValueError(
                    f"preferred_words maps {avoid!r} to {prefer!r}, which is a banned word"
                )
        return self


def load_brand_config(path: Path = DEFAULT_BRAND_CONFIG) -> BrandConfig:
    """Load and validate brand rules; errors are one-line ``ConfigError`` s with field and line."""
    return load_yaml_model(path, BrandConfig, config_error, messages=PLAIN_MESSAGES)
