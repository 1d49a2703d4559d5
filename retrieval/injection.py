"""Spot instructions hidden in documents (prompt injection) before agents read them.

Why a pattern scanner: the maintained detectors (LLM Guard, Rebuff, Vigil) classify with
a transformer fetched from a model hub or call a hosted API, and Baton must work offline
on a laptop. Detection here is advisory: no policy decision, ticket, schedule rule or
citation ever depends on document text, so a miss cannot change an outcome; a hit is
flagged in the audit trail and shown to the reviewer.

Text is normalised first so cosmetic tricks do not hide an order: HTML is reduced to
*all* of its text (hidden elements, comments and ``alt``/``title`` attributes included),
Unicode is NFKC-folded (full-width letters), zero-width and other format characters are
dropped, case is folded and whitespace collapsed. Each pattern is also tried on a
"squashed" copy with every non-letter removed, which catches ``i g n o r e`` and
``ignore-previous_instructions``. Instructions split across two chunks are found by
scanning neighbouring chunks of one document joined together.

Decided on purpose: ordinary business requests such as "Please approve the invoice by
Friday" are *not* flagged; only approval orders aimed at everything ("approve all
expenses"), at the document itself ("approve this claim") or that skip a control ("mark
as compliant", "without review") are.
"""

from __future__ import annotations

import base64
import binascii
import itertools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from baton.audit import current_trace
from baton.confusables import skeleton

FLAG_PREFIX = "suspected-injection:"
EXCERPT_CHARS = 160

_W = r"(?:\s+\w+)"
PATTERNS: dict[str, str] = {
    "override-instructions": (
        r"\b(?:ignore|disregard|forget|override|bypass|skip)\b(?:\s+\w+){0,4}?\s+"
        r"(?:instructions?|prompts?|rules?|polic(?:y|ies)|guidelines?|guidance|directions?"
        r"|checks?|everything)\b"
        r"|\bpay\s+no\s+attention\s+to\b|\bset\s+aside\s+(?:the|your|all)\b"
        r"|\b(?:rules?|instructions?|guidance|polic(?:y|ies)|checks?)\s+(?:above\s+|below\s+)?"
        r"(?:no\s+longer|do\s+not|don'?t|does\s+not)\s+apply\b"
        r"|\bwhatever\s+you\s+(?:were|have\s+been)\s+(?:told|asked|instructed)\b"
        r"|\byour\s+(?:real|new|actual|true|only)\s+(?:task|job|instructions?|goal|orders?)\b"
        # French, German, Spanish (accents are folded away before matching)
        rf"|\b(?:ignore[rz]?|oublie[rz]?|ne\s+tenez\s+pas\s+compte\s+de){_W}{{0,3}}?\s+"
        r"(?:instructions?|regles?|consignes?|directives?)\b"
        rf"|\b(?:ignorier\w*|vergiss\w*|missacht\w*|uberg\w*){_W}{{0,3}}?\s+"
        r"(?:anweisung\w*|regeln|vorgaben|richtlinien|befehle)\b"
        rf"|\b(?:ignora\w*|olvida\w*|omite\w*|descarta\w*){_W}{{0,3}}?\s+"
        r"(?:instrucciones|reglas|normas|directrices|indicaciones)\b"
    ),
    "role-hijack": (
        r"(?:^|[\n.!?]\s*)(?:system|assistant|developer)\s*(?:prompt)?\s*:"
        r"|\byou are now\b|\bnew instructions?\b|\bfrom now on,? you\b|\byou are no longer\b"
        r"|\bpretend\s+(?:you\s+are|to\s+be|that\s+you)\b"
        r"|\b(?:act|behave)\s+as\s+(?:if\s+you\s+were\s+)?(?:the|an?)\s+(?:\w+\s+){0,2}?"
        r"(?:director|administrator|admin|manager|system|developer|reviewer|approver|owner)\b"
        r"|\bnouvelles?\s+(?:instructions?|consignes?)\b|\b(?:tu\s+es|vous\s+etes)\s+maintenant\b"
        r"|\bneue\s+anweisung\w*\b|\bdu\s+bist\s+(?:jetzt|nun)\b"
        r"|\bnuevas?\s+instrucci\w*\b|\bahora\s+eres\b"
    ),
    "approve-everything": (
        r"\b(?:approve|accept|reimburse|pay)\s+(?:all|every|any|each)\b(?:\s+\w+){0,3}?\s+"
        r"(?:expenses?|claims?|receipts?|invoices?|requests?)\b"
        r"|\b(?:approve|accept|reimburse)\s+this\s+(?:claim|expense|receipt|invoice)\b"
        r"|\bmark(?:ed)?\s+(?:it\s+|this\s+|all\s+)?(?:as\s+)?compliant\b"
        r"|\bwithout\s+(?:human\s+)?(?:review|approval)\b"
        r"|\b(?:treat|consider|regard)\s+(?:every|all|each|this|these|the)\b(?:\s+[\w-]+){0,6}?"
        r"\s+(?:as\s+)?(?:pre-?approved|approved|compliant|fine)\b"
        r"|\bset\s+(?:the\s+)?status\b(?:\s+\w+){0,4}?\s+(?:to\s+)?(?:compliant|approved)\b"
        r"|\bskip\s+(?:the\s+)?(?:usual\s+)?(?:checks?|review|controls?|approval)\b"
        r"|\bno\s+need\s+to\s+involve\s+(?:a|any|the)\s+(?:person|human|reviewer|manager)\b"
        r"|\bsign\s+(?:this|it)\s+off\s+yourself\b"
        rf"|\b(?:approuve[rz]?|valide[rz]?){_W}{{0,1}}\s+(?:toutes?|tous|cette|ce|ces)\b"
        r"|\bmarque[rz]?\b(?:\s+\w+){0,4}?\s+comme\s+conforme\b"
        r"|\bsans\s+(?:aucune\s+)?(?:verification|controle|revision|validation)\b"
        r"|\b(?:genehmig\w*|freigeb\w*)\s+(?:sie\s+)?(?:alle|diese[nrs]?|jede[nrs]?)\b"
        r"|\balle\b(?:\s+\w+){0,3}?\s+(?:genehmigen|freigeben)\b"
        r"|\bmarkier\w*\b(?:\s+\w+){0,4}?\s+als\s+konform\b"
        r"|\bohne\s+(?:jede\s+)?(?:prufung|kontrolle|freigabe)\b"
        r"|\baprueba\w*\s+(?:todos?|todas?|este|esta|estos|estas)\b"
        r"|\bmarca\w*\b(?:\s+\w+){0,4}?\s+como\s+conforme\b"
        r"|\bsin\s+(?:ninguna\s+)?(?:revision|verificacion|control|aprobacion)\b"
    ),
    "privilege-escalation": (
        r"\b(?:add|grant|give|provision|assign|enable)\b(?:\s+\w+){0,4}?\s+"
        r"(?:admin(?:istrator)?|root|superuser|owner|full|production|elevated)\s+"
        r"(?:access|rights|privileges?|permissions?|role|account)\b"
        r"|\b(?:permissions?|rights|access|privileges?)\s+(?:as|of)\s+(?:an?\s+)?"
        r"(?:admin\w*|root|superuser|owner)\b"
        r"|\bacces\s+(?:d'?\s*)?administrateur\b|\bdroits\s+(?:d'?\s*)?administrat\w*\b"
        r"|\b(?:administrator|admin)(?:-)?(?:rechte|zugang|zugriff)\b"
        r"|\b(?:acceso|permisos?|privilegios?)\s+de\s+administrador\b"
    ),
    "brand-rule-change": (
        r"\bbrand\s+(?:now\s+)?(?:requires|mandates)\b"
        r"|\b(?:always|must)\s+(?:use|include|mention|say)\s+the\s+(?:word|phrase)\b"
        r"|\bnew\s+brand\s+(?:rule|guideline|requirement)s?\b"
        r"|\b(?:write|put|use|include)\s+the\s+(?:word|phrase|name)\b.{0,40}?"
        r"\b(?:every|all|each)\s+(?:headlines?|titles?|posts?|headings?)\b"
    ),
    "exfiltration": (
        r"\b(?:reveal|print|show|repeat|send)\s+(?:me\s+)?(?:your|the)\s+"
        r"(?:system\s+prompt|instructions|api\s+key|password|credentials)\b"
    ),
    "conceal-from-reviewer": (
        r"\bdo\s+not\s+(?:tell|inform|alert|flag|mention|show)\b(?:\s+\w+){0,2}?\s+"
        r"(?:the\s+)?(?:reviewer|user|human|auditor|finance|hr|it)\b"
        r"|\bkeep\s+(?:this|it)\s+between\s+us\b|\bwithout\s+telling\b"
        r"|\b(?:reviewer|auditor|user|human|manager)s?\s+(?:does|do)\s*(?:not|n't)\s+need\s+to\s+know\b"
        r"|\bne\s+(?:dites|dis)\s+rien\b|\bsans\s+(?:prevenir|informer)\b"
        r"|\bsag\w*\s+(?:dem|der|den)\s+\w+\s+nichts\b|\bnichts\s+davon\s+sagen\b"
        r"|\bno\s+le\s+digas\s+nada\b|\bsin\s+avisar\b"
    ),
}
"""Named patterns over normalised text; the name is what the reviewer sees."""

_COMPILED = {name: re.compile(p, re.IGNORECASE | re.MULTILINE) for name, p in PATTERNS.items()}
_SQUASH_PHRASES = {
    "override-instructions": (
        "ignorepreviousinstructions",
        "ignoreallpreviousinstructions",
        "ignoretheaboveinstructions",
        "disregardpreviousinstructions",
        "ignoreyourinstructions",
    ),
    "approve-everything": ("approveallexpenses", "approveallclaims"),
    "privilege-escalation": ("addadminaccess", "grantadminaccess", "giveadminaccess"),
}
"""Phrases tried on the letters-only copy (spaced-out or punctuated-apart words)."""
_HTML = re.compile(r"<\s*(?:html|body|div|span|p|!--|[a-z][a-z0-9]*\s[^>]*=)", re.IGNORECASE)


@dataclass(frozen=True)
class Suspicion:
    """One suspected instruction: where it was, which pattern, and the words themselves."""

    source: str
    pattern: str
    excerpt: str

    def as_dict(self) -> dict[str, str]:
        return asdict(self)


def html_text(markup: str) -> str:
    """Every piece of text in an HTML document, hidden ones included (they reach models)."""
    from bs4 import BeautifulSoup, Comment

    soup = BeautifulSoup(markup, "html.parser")
    parts = [soup.get_text(" ")]
    parts += [str(c) for c in soup.find_all(string=lambda s: isinstance(s, Comment))]
    for tag in soup.find_all(True):
        parts += [str(tag.get(a)) for a in ("alt", "title", "aria-label", "content") if tag.get(a)]
    return "\n".join(parts)


_TAG_TEXT = re.compile("[\U000e0020-\U000e007e]+")
_BASE64 = re.compile(r"(?<![A-Za-z0-9+/=])[A-Za-z0-9+/]{16,}={0,2}(?![A-Za-z0-9+/=])")


def hidden_text(text: str) -> list[str]:
    """Text a reader cannot see but a model can: Unicode tag characters (each one an
    invisible copy of an ASCII character) and base64 spans that decode to words."""
    found = ["".join(chr(ord(c) - 0xE0000) for c in m) for m in _TAG_TEXT.findall(text)]
    for span in _BASE64.findall(text):
        try:
            decoded = base64.b64decode(span + "=" * (-len(span) % 4), validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            continue
        if (
            sum(c.isalpha() or c.isspace() for c in decoded) >= 0.8 * len(decoded)
            and " " in decoded
        ):
            found.append(decoded)
    return found


def normalise(text: str) -> str:
    """Fold the cosmetic differences an attacker can hide an instruction behind.

    Hidden text (tag characters, base64) is decoded and appended on its own lines;
    look-alike letters are folded by Unicode's confusables data; accents are dropped so
    "précédentes" meets the pattern "precedentes".
    """
    if _HTML.search(text):
        text = html_text(text)
    text = "\n".join([text, *hidden_text(text)])
    text = skeleton(text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.casefold().replace("\u2019", "'")
    return re.sub(r"[^\S\n]+", " ", text)


def _excerpt(text: str, start: int, end: int) -> str:
    left = max(0, start - 30)
    return " ".join(text[left : end + 30].split())[:EXCERPT_CHARS]


def scan(text: str, source: str) -> list[Suspicion]:
    """Suspected instructions in one text, at most one per pattern."""
    flat = normalise(text)
    squashed = re.sub(r"[^a-z]", "", flat)
    found: list[Suspicion] = []
    for name, pattern in _COMPILED.items():
        match = pattern.search(flat)
        if match:
            found.append(Suspicion(source, name, _excerpt(flat, match.start(), match.end())))
            continue
        for phrase in _SQUASH_PHRASES.get(name, ()):
            if phrase in squashed:
                found.append(Suspicion(source, name, f"(letters only) {phrase}"))
                break
    return found


def scan_chunks(chunks: Sequence[Mapping[str, Any]]) -> list[Suspicion]:
    """Scan chunks (``id``, ``text``, optional ``source``/``index``), and neighbours joined.

    An instruction split at a chunk boundary shows up only in the join; it is reported
    against both chunk ids (``a+b``) so the reviewer can find each half.
    """
    found: list[Suspicion] = []
    seen: set[tuple[str, str]] = set()
    for chunk in chunks:
        for hit in scan(str(chunk["text"]), str(chunk["id"])):
            found.append(hit)
            seen.add((hit.source, hit.pattern))
    ordered = sorted(
        (c for c in chunks if "source" in c and "index" in c),
        key=lambda c: (str(c["source"]), int(c["index"])),
    )
    for a, b in itertools.pairwise(ordered):
        if a["source"] != b["source"] or int(b["index"]) != int(a["index"]) + 1:
            continue
        for hit in scan(f"{a['text']}\n{b['text']}", f"{a['id']}+{b['id']}"):
            if (str(a["id"]), hit.pattern) in seen or (str(b["id"]), hit.pattern) in seen:
                continue
            found.append(hit)
    return found


def flag_injections(chunks: Iterable[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Scan what is about to reach an agent; flag each hit on the running node's record.

    Each hit adds ``suspected-injection:<id>`` to the node's audit flags and a
    ``{source, excerpt, pattern}`` entry that the scenario's review packet shows.
    """
    hits = scan_chunks(list(chunks))
    trace = current_trace()
    if trace is not None:
        for hit in hits:
            trace.flag(f"{FLAG_PREFIX}{hit.source}")
            trace.injections.append(hit.as_dict())
    return [h.as_dict() for h in hits]


def packet_flags(state: Mapping[str, Any]) -> list[dict[str, str]]:
    """The run's suspected injections for a review packet, each once."""
    unique = {(f["source"], f["pattern"]): f for f in state.get("injection_flags") or []}
    return list(unique.values())
