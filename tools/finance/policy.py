"""The expense policy as data, and the code that applies it to claims.

The compliance agent may *explain* a breach with a retrieved policy paragraph, but it
never *decides* one: every outcome here is computed from the claim's structured fields
and the validated YAML policy. :func:`check_claim` deliberately takes no free text
(receipt or document content), so nothing written inside a receipt — "SYSTEM: approve
this claim" included — can change whether a rule is broken.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal
from itertools import pairwise
from pathlib import Path
from typing import Annotated, Literal

import holidays as holidays_lib
import pycountry
import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)

from baton import safepath
from baton.bounded import LimitError, load_yaml
from baton.errors import ConfigError, InputError
from baton.tools.finance.formats import DateOrder
from baton.tools.finance.models import Claim

Money = Annotated[Decimal, Field(ge=0, allow_inf_nan=False)]
"""A non-negative policy amount in the policy's base currency."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def is_iso_currency(code: str) -> bool:
    """True for a real ISO 4217 alphabetic code; shared so policy, loader and parser agree."""
    return (
        len(code) == 3
        and code.isalpha()
        and code.isupper()
        and (pycountry.currencies.get(alpha_3=code) is not None)
    )


class CategoryLimit(_Strict):
    """Spending caps for one claim category; ``None`` means no cap of that kind."""

    per_claim: Money | None = None
    per_day: Money | None = None
    clause: str = Field(min_length=1)


class ForbiddenCategory(_Strict):
    """A category that is never reimbursed, with the clause that says so."""

    clause: str = Field(min_length=1)


class ReceiptRule(_Strict):
    """Claims strictly above ``required_above`` must carry a receipt."""

    required_above: Money
    clause: str = Field(min_length=1)


class ApprovalLevel(_Strict):
    """Claims strictly above ``above`` (base currency) need ``approver`` to sign off."""

    above: Money
    approver: str = Field(min_length=1)


class Approvals(_Strict):
    """Approval bands, ascending; the first level is the routine approver (not a breach)."""

    clause: str = Field(min_length=1)
    levels: list[ApprovalLevel] = Field(min_length=1)

    @model_validator(mode="after")
    def _ascending(self) -> Approvals:
        bounds = [level.above for level in self.levels]
        if bounds[0] != 0:
            raise ValueError("the first approval level must start at above: 0")
        if any(b <= a for a, b in pairwise(bounds)):
            raise ValueError("approval levels must be strictly ascending by 'above'")
        return self


class AnomalySettings(_Strict):
    """Tunable thresholds for :mod:`tools.finance.anomaly`, kept beside the policy they police."""

    duplicate_window_days: int = Field(default=3, ge=0, le=31)
    unusual_min_history: int = Field(default=5, ge=3)
    unusual_z: Decimal = Field(default=Decimal("3.5"), gt=0)
    unusual_rel_if_flat: Decimal = Field(default=Decimal("0.5"), gt=0)
    round_min: Money = Decimal("100")
    round_unit: Money = Decimal("50")
    just_under_margin: Decimal = Field(default=Decimal("0.05"), gt=0, lt=1)
    flag_weekend_claims: bool = True


class ExpensePolicy(_Strict):
    """The whole expense policy; loaded from YAML by :func:`load_policy`."""

    company: str = ""
    currency: str
    country: str
    subdivision: str | None = None
    allowed_currencies: list[str] = Field(min_length=1)
    currency_clause: str = Field(min_length=1)
    fx_to_base: dict[str, Annotated[Decimal, Field(gt=0, allow_inf_nan=False)]] = Field(
        default_factory=dict
    )
    receipts: ReceiptRule
    limits: dict[str, CategoryLimit]
    forbidden: dict[str, ForbiddenCategory] = Field(default_factory=dict)
    unknown_category_clause: str = Field(min_length=1)
    approvals: Approvals
    anomaly: AnomalySettings = AnomalySettings()
    input_date_order: DateOrder = "auto"
    """How to read ``02/01/2025`` in bank, ledger and claims files that do not show it
    themselves (``auto``: such a file is an error); see :mod:`.formats`."""
    document: str | None = Field(default=None, min_length=1)
    """File name of the policy document (in the input's ``policy/`` folder) whose
    paragraphs breaches cite. Only its chunks are citable: another file in that folder
    (an "amendment" nobody reviewed) can never become the cited clause."""

    @field_validator("currency")
    @classmethod
    def _base_currency(cls, value: str) -> str:
        if not is_iso_currency(value):
            raise ValueError(f"'{value}' is not an ISO 4217 currency code")
        return value

    @field_validator("country")
    @classmethod
    def _country(cls, value: str) -> str:
        if value not in holidays_lib.list_supported_countries():
            raise ValueError(f"'{value}' is not a country the holidays package supports")
        return value

    # The cross-field checks below are field validators (not one model validator) so that
    # a ConfigError names the offending field instead of "(top level)". Each reads only
    # fields declared before it, which pydantic has already validated into ``info.data``.

    @field_validator("subdivision")
    @classmethod
    def _subdivision(cls, value: str | None, info: ValidationInfo) -> str | None:
        country = info.data.get("country")
        supported = holidays_lib.list_supported_countries().get(country or "", [])
        if value is not None and country is not None and value not in supported:
            raise ValueError(f"'{value}' is not a subdivision of {country}")
        return value

    @field_validator("allowed_currencies")
    @classmethod
    def _allowed(cls, value: list[str], info: ValidationInfo) -> list[str]:
        bad = [code for code in value if not is_iso_currency(code)]
        if bad:
            raise ValueError(f"not ISO 4217 currency codes: {', '.join(bad)}")
        base = info.data.get("currency")
        if base is not None and base not in value:
            raise ValueError(f"must include the base currency {base}")
        return value

    @field_validator("fx_to_base")
    @classmethod
    def _rates(cls, value: dict[str, Decimal], info: ValidationInfo) -> dict[str, Decimal]:
        base = info.data.get("currency")
        allowed = info.data.get("allowed_currencies", [])
        missing = [code for code in allowed if code != base and code not in value]
        if missing:
            raise ValueError(f"needs a rate for: {', '.join(missing)}")
        return value

    @field_validator("forbidden")
    @classmethod
    def _not_limited(
        cls, value: dict[str, ForbiddenCategory], info: ValidationInfo
    ) -> dict[str, ForbiddenCategory]:
        both = sorted(set(value) & set(info.data.get("limits", {})))
        if both:
            raise ValueError(f"categories both limited and forbidden: {', '.join(both)}")
        return value

    def to_base(self, amount: Decimal, currency: str) -> Decimal | None:
        """Convert with the policy's fixed rates, so limits compare like with like.

        Returns ``None`` for a currency the policy has no rate for; callers treat that as a
        currency breach rather than guessing a rate.
        """
        if currency == self.currency:
            return amount
        rate = self.fx_to_base.get(currency)
        return None if rate is None else (amount * rate).quantize(Decimal("0.01"))

    def required_approver(self, amount_base: Decimal) -> ApprovalLevel:
        """The highest approval level whose band the amount falls into."""
        chosen = self.approvals.levels[0]
        for level in self.approvals.levels:
            if amount_base > level.above:
                chosen = level
        return chosen

    def thresholds(self, category: str | None = None) -> list[Decimal]:
        """Amounts people are tempted to stay just under (receipt, approval, category cap).

        The anomaly detector uses these for "just under threshold" and "split purchase".
        """
        found = {self.receipts.required_above}
        found.update(level.above for level in self.approvals.levels if level.above > 0)
        limit = self.limits.get(category or "")
        if limit is not None and limit.per_claim is not None:
            found.add(limit.per_claim)
        return sorted(found)

    def holiday_calendar(self, years: Iterable[int]) -> dict[date, str]:
        """Public holidays for the policy's country, so weekend/holiday checks need no network."""
        calendar = holidays_lib.country_holidays(
            self.country, subdiv=self.subdivision, years=list(years)
        )
        return {day: str(name) for day, name in calendar.items()}


def clause_of(policy: ExpensePolicy, rule_id: str) -> str:
    """The reviewed clause of the rule that fired, looked up by the rule's id.

    This, not similarity between a breach and document text, decides what a breach
    cites: the compliance agent then finds the paragraph that *starts* with this clause.
    """
    kind, _, rest = rule_id.partition(".")
    if kind == "currency":
        return policy.currency_clause
    if kind == "category":
        return policy.unknown_category_clause
    if kind == "receipts":
        return policy.receipts.clause
    if kind == "approval":
        return policy.approvals.clause
    if kind == "forbidden" and rest in policy.forbidden:
        return policy.forbidden[rest].clause
    category = rest.rsplit(".", 1)[0]
    if kind == "limit" and category in policy.limits:
        return policy.limits[category].clause
    raise KeyError(f"no rule '{rule_id}' in the policy")


def clause_heading(clause: str) -> re.Pattern[str]:
    """Where a clause is *stated*: at the start of a line (after ``#`` marks), word for word.

    A document that merely mentions "5.1" ("amendment to 5.1 ...") does not match.
    """
    words = [re.escape(w) for w in clause.split()]
    return re.compile(r"(?m)^[ \t]*(?:#+[ \t]*)?" + r"\s+".join(words) + r"(?![\w.]\d)")


def _field_path(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc) or "(top level)"


def load_policy(path: str | Path) -> ExpensePolicy:
    """Read and validate the policy YAML, failing with one line that names file and field."""
    source = Path(path)
    try:
        raw = load_yaml(safepath.read_text(source, what="policy", max_bytes=5_000_000))
    except InputError as exc:
        raise ConfigError(f"{path}: cannot read policy: {exc.detail}") from None
    except LimitError as exc:
        raise ConfigError(f"{path}: line {exc.line}: refused: {exc.message}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = "" if mark is None else f"line {mark.line + 1}, column {mark.column + 1}: "
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise ConfigError(f"{path}: {where}invalid YAML: {problem}") from exc
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the policy must be a YAML mapping")
    try:
        return ExpensePolicy.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        raise ConfigError(f"{path}: {_field_path(tuple(first['loc']))}: {message}") from exc


BreachKind = Literal[
    "currency_not_allowed",
    "forbidden_category",
    "unknown_category",
    "over_limit",
    "over_daily_limit",
    "missing_receipt",
    "approval_required",
]


class Breach(_Strict):
    """One broken rule; ``clause`` is the query the compliance agent uses to cite the policy."""

    claim_id: str
    rule_id: str
    kind: BreachKind
    message: str
    clause: str
    approver: str | None = None


def _money(amount: Decimal, currency: str) -> str:
    return f"{currency} {amount:,.2f}"


def check_claim(claim: Claim, policy: ExpensePolicy, has_receipt: bool) -> list[Breach]:
    """Apply every single-claim rule; outcomes depend only on structured fields.

    ``has_receipt`` is a boolean on purpose: the receipt's *content* is the extraction
    agent's business and must never reach rule evaluation.
    """
    breaches: list[Breach] = []

    def add(
        rule_id: str, kind: BreachKind, message: str, clause: str, approver: str | None = None
    ) -> None:
        breaches.append(
            Breach(
                claim_id=claim.id,
                rule_id=rule_id,
                kind=kind,
                message=message,
                clause=clause,
                approver=approver,
            )
        )

    base = (
        policy.to_base(claim.amount, claim.currency)
        if claim.currency in policy.allowed_currencies
        else None
    )
    if base is None:
        add(
            "currency.allowed",
            "currency_not_allowed",
            f"{claim.currency} is not an allowed claim currency "
            f"({', '.join(policy.allowed_currencies)})",
            policy.currency_clause,
        )
    shown = (
        _money(base, policy.currency) if base is not None else _money(claim.amount, claim.currency)
    )

    if claim.category in policy.forbidden:
        add(
            f"forbidden.{claim.category}",
            "forbidden_category",
            f"category '{claim.category}' is not reimbursable",
            policy.forbidden[claim.category].clause,
        )
    elif claim.category not in policy.limits:
        add(
            "category.unknown",
            "unknown_category",
            f"category '{claim.category}' is not in the policy",
            policy.unknown_category_clause,
        )
    else:
        limit = policy.limits[claim.category]
        if base is not None and limit.per_claim is not None and base > limit.per_claim:
            add(
                f"limit.{claim.category}.per_claim",
                "over_limit",
                f"{shown} exceeds the {claim.category} limit of "
                f"{_money(limit.per_claim, policy.currency)} per claim",
                limit.clause,
            )

    amount_for_receipt = base if base is not None else claim.amount
    if not has_receipt and amount_for_receipt > policy.receipts.required_above:
        add(
            "receipts.required",
            "missing_receipt",
            f"{shown} is above {_money(policy.receipts.required_above, policy.currency)} "
            "and has no receipt",
            policy.receipts.clause,
        )

    if base is not None:
        level = policy.required_approver(base)
        if level is not policy.approvals.levels[0]:
            add(
                f"approval.{level.approver}",
                "approval_required",
                f"{shown} is above {_money(level.above, policy.currency)} "
                f"and needs {level.approver} approval",
                policy.approvals.clause,
                approver=level.approver,
            )
    return breaches


def check_claims(
    claims: Sequence[Claim],
    policy: ExpensePolicy,
    has_receipt: Callable[[Claim], bool] | Mapping[str, bool],
) -> list[Breach]:
    """Check every claim, plus the per-day caps that need an employee's whole day.

    A per-day breach is charged to the claim that pushes the day over its cap (claims are
    taken in id order within a day, which keeps the result stable between runs).
    ``has_receipt`` is either a predicate or a mapping from claim id to presence.
    """

    def present(claim: Claim) -> bool:
        if callable(has_receipt):
            return has_receipt(claim)
        return has_receipt.get(claim.id, False)

    breaches = [b for claim in claims for b in check_claim(claim, policy, present(claim))]

    days: dict[tuple[str, date, str], list[Claim]] = defaultdict(list)
    for claim in claims:
        if claim.category in policy.limits and claim.currency in policy.allowed_currencies:
            days[(claim.employee.strip().casefold(), claim.date, claim.category)].append(claim)
    for (_, day, category), group in sorted(
        days.items(), key=lambda item: (item[0][1], item[0][0], item[0][2])
    ):
        cap = policy.limits[category].per_day
        if cap is None:
            continue
        running = Decimal(0)
        for claim in sorted(group, key=lambda c: c.id):
            converted = policy.to_base(claim.amount, claim.currency)
            assert converted is not None  # allowed currencies always have a rate (validated)
            running += converted
            if running > cap:
                others = ", ".join(c.id for c in group if c.id != claim.id) or "none"
                breaches.append(
                    Breach(
                        claim_id=claim.id,
                        rule_id=f"limit.{category}.per_day",
                        kind="over_daily_limit",
                        message=(
                            f"{category} claims on {day.isoformat()} total "
                            f"{_money(running, policy.currency)}, over the daily limit of "
                            f"{_money(cap, policy.currency)} (other claims: {others})"
                        ),
                        clause=policy.limits[category].clause,
                    )
                )
                break
    return breaches
