"""Which way does a model's sentence about a claim lean: breach, clear, or neither?

Why: code decides every breach, and a model only explains it. An explanation that says
the opposite of the decision ("claims under category alcohol do not break policy 5.1
and should be accepted") is worse than none, because a reviewer reads it next to the
decision. Matching "is compliant" is not enough; a sentence clears a claim in many ways:

* a breach verb negated: "does not break / breach / violate / exceed", "isn't against";
* a permission word not negated: "is allowed / permitted / reimbursable / acceptable /
  compliant / within the limit", "complies with", "in line with the policy";
* an order to let it through: "should / can / may be accepted / approved / paid";
* a verdict of no problem: "no breach", "nothing wrong", "not a violation".

A sentence is kept only when it leans *breach* (a breach verb not negated, or a
permission word negated: "is not reimbursed", "never allowed") and shows no clearing
signal. "Must be approved by the Finance Manager" states a requirement, so permission
words after "must / needs to / requires" do not clear.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Literal

Stance = Literal["breach", "clear", "unclear"]

_NEG = r"(?:not|never|no|n't|cannot|can't|without)"
_BREACH_VERB = (
    r"(?:break|breaks|broke|broken|breaking|breach|breaches|breached|breaching|violat\w*"
    r"|contraven\w*|exceed\w*|infring\w*|goes?\s+against|went\s+against|fall\w*\s+outside"
    r"|is\s+over|are\s+over|is\s+above|are\s+above|forbidden|prohibited|banned|excluded"
    r"|lacks?|missing|needs?|requires?|required|must)"
)
_PERMIT = (
    r"(?:allow\w*|permit\w*|reimburs\w*|acceptable|accepted|accept|approv\w*|compliant"
    r"|complies|comply|conform\w*|eligible|valid|fine|ok|okay|legitimate|within)"
)
_REQUIREMENT = r"(?:must|needs?\s+to|need|requires?|required|has\s+to|have\s+to|until|once|after)"
_CLEAR_PHRASES = re.compile(
    r"\b(?:should|can|could|may|might|will|shall)\s+(?:still\s+|safely\s+|therefore\s+)?"
    r"(?:be\s+)?(?:accept\w*|approv\w*|pa(?:y|id)|reimburs\w*|allow\w*|pass\w*|clear\w*|ignor\w*)"
    r"|\bno\s+(?:policy\s+)?(?:breach\w*|violation\w*|issue\w*|problem\w*|concern\w*)"
    r"|\bnothing\s+wrong\b|\bnot\s+(?:a\s+)?(?:breach|violation|problem|issue)\b"
    r"|\bin\s+line\s+with\b|\bin\s+accordance\s+with\b|\bcomplies\b|\bconforms?\b"
    r"|\bwithin\s+(?:the\s+)?(?:policy|limits?|rules?)\b|\bis\s+compliant\b|\bare\s+compliant\b"
    r"|\bok(?:ay)?\s+to\b|\bgood\s+to\s+go\b|\bpasses\b",
    re.IGNORECASE,
)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[’`´]", "'", " ".join(text.split()))


def _negated_before(text: str, start: int, window: int = 4) -> bool:
    """A negation within ``window`` words before ``start`` ("does not break")."""
    before = text[:start].split()[-window:]
    joined = " ".join(before)
    return bool(re.search(rf"(?:^|\s|\w){_NEG}\b", f" {joined}")) or joined.endswith("n't")


def stance(sentence: str) -> Stance:
    """``breach`` when the sentence says the claim breaks the rule, ``clear`` when it says
    (however phrased) that it does not or should pass, else ``unclear``."""
    text = _fold(sentence)
    clear = bool(_CLEAR_PHRASES.search(text))
    breach = False
    for m in re.finditer(rf"\b{_BREACH_VERB}\b", text):
        if _negated_before(text, m.start()):
            clear = True
        else:
            breach = True
    for m in re.finditer(rf"\b{_PERMIT}\b", text):
        if _negated_before(text, m.start()):
            breach = True
        elif not re.search(rf"\b{_REQUIREMENT}\b", " ".join(text[: m.start()].split()[-4:])):
            clear = True
    if clear:
        return "clear"
    return "breach" if breach else "unclear"


def contradicts_breach(sentence: str) -> bool:
    """True unless the sentence plainly agrees that the claim breaks the policy."""
    return stance(sentence) != "breach"
