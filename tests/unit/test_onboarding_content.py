"""Reading list: every item cites an existing chunk; markdown grouped by week."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from baton.tools.onboarding.content import (
    PathwayItem,
    PlaybookChunk,
    check_citations,
    draft_pathway,
    render_reading_list,
)

KNOWN = {"playbook/03#0", "playbook/03#1", "playbook/06#0"}


def _item(title: str, week: int = 1, kind: str = "reading", *chunks: str) -> PathwayItem:
    return PathwayItem.model_validate(
        {"title": title, "week": week, "kind": kind, "chunk_ids": chunks}
    )


def test_valid_items_have_no_problems() -> None:
    items = [
        _item("Dev setup", 1, "training", "playbook/03#0"),
        _item("Security", 1, "reading", "playbook/06#0"),
    ]
    assert check_citations(items, KNOWN) == []


def test_unknown_missing_and_duplicate_citations() -> None:
    items = [
        _item("Invented", 1, "reading", "playbook/99#0", "playbook/03#1"),
        _item("Uncited", 2, "training"),
        _item("Dev setup", 1, "reading", "playbook/03#0"),
        _item("dev setup", 1, "training", "playbook/03#0"),
    ]
    problems = check_citations(items, KNOWN)
    assert [(p.code, p.ref) for p in problems] == [
        ("unknown-chunk", "playbook/99#0"),
        ("uncited-item", "Uncited"),
        ("duplicate-item", "dev setup"),
    ]
    assert all(p.agent == "content" for p in problems)
    assert "items[0]" in problems[0].message


def test_week_must_be_positive() -> None:
    with pytest.raises(ValidationError):
        _item("x", 0, "reading", "playbook/03#0")


def test_render_groups_by_week_reading_before_training_with_sources() -> None:
    items = [
        _item("Pair on first change", 2, "training", "playbook/03#1"),
        _item("Security basics", 1, "reading", "playbook/06#0"),
        _item("Dev environment", 1, "training", "playbook/03#0"),
    ]
    text = render_reading_list("Maya", items, sources={"playbook/06#0": "Security and access"})
    lines = text.splitlines()
    assert lines[0] == "# Reading list and training pathway for Maya"
    order = [ln for ln in lines if ln.startswith(("## ", "### ", "- "))]
    assert order[:6] == [
        "## Week 1",
        "### Reading",
        "- **Security basics** [playbook/06#0]",
        "### Training",
        "- **Dev environment** [playbook/03#0]",
        "## Week 2",
    ]
    assert "- [playbook/06#0] Security and access" in lines
    assert "- [playbook/03#1] playbook/03#1" in lines


def test_render_empty_list() -> None:
    assert "_No items yet._" in render_reading_list("Maya", [])


def test_draft_pathway_groups_chunks_by_document_and_cites_them() -> None:
    chunks = [
        PlaybookChunk("sec#0", "06-security.md", "# Security and access\nLeast privilege."),
        PlaybookChunk("eng#0", "03-eng.md", "# Engineering onboarding\nPair with your buddy."),
        PlaybookChunk("sec#1", "06-security.md", "Complete the security awareness training."),
        PlaybookChunk("ben#0", "07-benefits.md", "Time off and payroll."),
    ]
    items = draft_pathway(chunks, per_week=2)
    assert [(i.week, i.kind, i.title, i.chunk_ids) for i in items] == [
        (1, "training", "Security and access", ("sec#0", "sec#1")),
        (1, "training", "Engineering onboarding", ("eng#0",)),
        (2, "reading", "07-benefits.md", ("ben#0",)),
    ]
    assert check_citations(items, {c.chunk_id for c in chunks}) == []
