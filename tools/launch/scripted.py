"""A scripted launch team model for tests and benchmarks: competent, or a seeded liar.

Why it ships in the package: the unit tests and ``benchmarks/launch.py`` both need a
model that answers the launch agents' prompts the way a capable model would (it copies
facts from the quoted pages, cites them, plans the catalogue's graph) and that can plant
seeded false facts in the research notes: a wrong price, an invented competitor, a
swapped date. The fact-checker must catch every plant; with it switched off the plants
reach the outputs, which shows the benchmark can fail.
"""

from __future__ import annotations

import random
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import BaseMessage

from baton.errors import ModelFailure
from baton.testing import schema_responder
from baton.tools.grounding import CITATION
from baton.tools.launch.plan import deterministic_plan, parse_counts

_DOC = re.compile(r'<document id="([0-9a-f]{16})"[^>]*>\n(.*?)\n</document>', re.S)
_PRICE = re.compile(r"£(\d+)\.(\d\d)")
_DATE_YEAR = re.compile(r"\b(20\d\d)\b")
PLANT_KINDS = ("price", "competitor", "date")


def plant(fact: str, kind: str, rng: random.Random) -> str | None:
    """A false version of ``fact`` of the given kind, or ``None`` if it cannot be made."""
    if kind == "price":
        m = _PRICE.search(fact)
        if m:
            wrong = f"£{int(m.group(1)) + rng.randint(1, 5)}.{m.group(2)}"
            return fact[: m.start()] + wrong + fact[m.end() :]
    if kind == "date":
        m = _DATE_YEAR.search(fact)
        if m:
            return fact[: m.start()] + str(int(m.group(1)) - rng.randint(1, 3)) + fact[m.end() :]
    if kind == "competitor":
        words = fact.split()
        if words:
            return " ".join(["Zentora", *words[1:]])
    return None


@dataclass
class LaunchScript:
    """Responder for :class:`baton.testing.ScriptedChatModel` (``responder=script``).

    ``plant_rate``: share of research facts replaced by a planted false one (first
    attempt); ``sticky``: share of plants repeated when the researcher is sent back.
    ``fail_roles``: roles whose next call raises (a crash mid-plan), once each.
    """

    plant_rate: float = 0.0
    sticky: float = 0.0
    seed: int = 0
    fail_roles: set[str] = field(default_factory=set)
    planted: list[str] = field(default_factory=list)
    true_facts: list[str] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)

    def __call__(
        self, role: str, messages: Sequence[BaseMessage], tool: dict[str, Any] | None
    ) -> dict[str, Any] | str:
        self.calls.append(role)
        if role in self.fail_roles:
            self.fail_roles.discard(role)
            raise ModelFailure(f"scripted outage in {role}")
        text = "\n".join(str(m.content) for m in messages)
        handler = getattr(self, f"_{role}", None)
        if handler is None or tool is None:
            return schema_responder(role, messages, tool)
        result: dict[str, Any] = handler(text)
        return result

    # Agents ------------------------------------------------------------------------------
    def _planner(self, text: str) -> dict[str, Any]:
        request = text.split("Request:", 1)[1].split("\n\nThe reviewer", 1)[0].strip()
        return {"tasks": [t.model_dump() for t in deterministic_plan(parse_counts(request))]}

    def _researcher(self, text: str) -> dict[str, Any]:
        resent = "Fix these problems" in text
        # Chunk ids differ between homes (they hash the file path): seed without them.
        rng = random.Random(f"{self.seed}:{re.sub(r'[0-9a-f]{16}', '', text)}")
        facts = []
        for cid, page in _DOC.findall(text):
            for line in page.splitlines():
                if not line.startswith("- "):
                    continue
                fact = line[2:].strip()
                lie = None
                if rng.random() < (self.sticky if resent else self.plant_rate):
                    lie = plant(fact, rng.choice(PLANT_KINDS), rng)
                if lie is not None:
                    self.planted.append(lie)
                    facts.append({"text": lie, "citations": [cid]})
                else:
                    self.true_facts.append(fact)
                    facts.append({"text": fact, "citations": [cid]})
        return {"facts": facts[:5]}

    def _analyst(self, text: str) -> dict[str, Any]:
        ours = text.split("Our facts:", 1)[-1]
        findings = []
        for line in ours.splitlines():
            ids = CITATION.findall(line)
            if ids and line.startswith("- "):
                body = CITATION.sub("", line[2:]).strip().rstrip(".").strip()
                findings.append({"text": body + ".", "citations": ids[:1]})
        return {"findings": findings[:3]}

    def _calendar(self, text: str) -> dict[str, Any]:
        window = re.search(r"Window: (\S+) to (\S+)", text)
        posts = re.search(r"Posts: (.*)", text)
        channels = re.search(r"Channels: (.*)", text)
        if not (window and posts and channels):
            return {"entries": []}
        from datetime import date

        from baton.tools.launch.calendar import even_schedule

        start, end = (date.fromisoformat(window.group(i)) for i in (1, 2))
        ids = [p.strip() for p in posts.group(1).split(",")]
        chans = [c.strip() for c in channels.group(1).split(",")]
        entries = even_schedule(ids, start, (end - start).days + 1, chans)
        return {"entries": [{**e, "theme": f"Theme for {e['post']}"} for e in entries]}

    def _writer(self, text: str) -> dict[str, Any]:
        theme = re.search(r"Theme: (.*)", text)
        lines = [
            ln for ln in text.splitlines() if CITATION.search(ln) and "0123456789abcdef" not in ln
        ]
        number = re.search(r"(\d+)$", theme.group(1).strip()) if theme else None
        pick = int(number.group(1)) if number else 1
        chosen = [lines[0], lines[pick % len(lines)]] if lines else []
        body = " ".join(dict.fromkeys(chosen)) + " Join us for the launch."
        return {"title": theme.group(1).strip()[:80] if theme else "Launch", "body": body}

    def _fact_checker(self, text: str) -> dict[str, Any]:
        claims = re.findall(r"^(\d+)\. ", text, re.M)
        return {"labels": [{"claim": int(n), "verdict": "supported"} for n in claims[:6]]}
