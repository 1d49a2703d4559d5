"""IT requests: exactly the catalogue, off-catalogue suggestions become exceptions."""

from __future__ import annotations

import json

import pytest

from baton.errors import ConfigError
from baton.tools.onboarding.config import load_onboarding_config
from baton.tools.onboarding.provisioning import (
    ITTicket,
    Provisioning,
    ProvisioningSuggestion,
    build_it_requests,
    provisioning_problems,
    render_it_requests_json,
)
from baton.tools.onboarding.testing import CONFIG_PATH, make_config, make_starter

CATALOGUE = make_config().it_catalogue


def test_one_ticket_per_catalogue_item() -> None:
    result = build_it_requests(make_starter(), CATALOGUE)
    assert [(t.kind, t.item) for t in result.tickets] == [
        ("account", "Slack"),
        ("account", "GitHub"),
        ("equipment", "Laptop"),
        ("access_group", "eng-all"),
    ]
    assert len({t.ticket_id for t in result.tickets}) == 4
    assert all(t.requested_for == "sam.starter@example.com" for t in result.tickets)
    assert result.exceptions == ()
    assert provisioning_problems(result, make_starter(), CATALOGUE) == []


def test_shipped_catalogue_for_each_role() -> None:
    config = load_onboarding_config(CONFIG_PATH)
    for role, entry in config.it_catalogue.items():
        tickets = build_it_requests(make_starter(role=role), config.it_catalogue).tickets
        expected = len(entry.accounts) + len(entry.equipment) + len(entry.access_groups)
        assert len(tickets) == expected


def test_off_catalogue_suggestion_becomes_exception_never_a_ticket() -> None:
    suggestions = [
        ProvisioningSuggestion(kind="access_group", item="prod-db-admin", source="model"),
        ProvisioningSuggestion(kind="account", item="slack ", source="playbook"),  # covered
        ProvisioningSuggestion(kind="access_group", item="prod-db-admin", source="doc"),  # repeat
        ProvisioningSuggestion(kind="equipment", item="GitHub", source="model"),  # wrong kind
    ]
    result = build_it_requests(make_starter(), CATALOGUE, suggestions)
    assert len(result.tickets) == 4
    assert [(e.kind, e.item, e.source) for e in result.exceptions] == [
        ("access_group", "prod-db-admin", "model"),
        ("equipment", "GitHub", "model"),
    ]
    assert "least privilege" in result.exceptions[0].reason


def test_problems_for_extra_missing_duplicate_and_wrong_person() -> None:
    starter = make_starter()
    good = build_it_requests(starter, CATALOGUE)
    extra = good.tickets[0].model_copy(update={"item": "Root", "ticket_id": "IT-x"})
    dup = good.tickets[1]
    other = good.tickets[2].model_copy(update={"requested_for": "someone@example.com"})
    bad = Provisioning(tickets=(good.tickets[1], dup, other, extra))
    codes = sorted(p.code for p in provisioning_problems(bad, starter, CATALOGUE))
    assert codes == [
        "duplicate-ticket",
        "missing-ticket",
        "missing-ticket",
        "outside-catalogue",
        "wrong-recipient",
    ]


def test_unknown_role_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="no entry for role 'Astronaut'"):
        build_it_requests(make_starter(role="Astronaut"), CATALOGUE)


def test_json_output_is_parseable_and_stable() -> None:
    result = build_it_requests(
        make_starter(),
        CATALOGUE,
        [ProvisioningSuggestion(kind="account", item="Figma", source="model", reason="design")],
    )
    text = render_it_requests_json(result)
    data = json.loads(text)
    assert [ITTicket.model_validate(t) for t in data["tickets"]] == list(result.tickets)
    assert data["exceptions"][0]["item"] == "Figma"
    assert "design" in data["exceptions"][0]["reason"]
    assert text == render_it_requests_json(result)
