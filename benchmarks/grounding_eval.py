"""Precision and recall of the claim-support check (tools/grounding.py) on labelled sets.

Each labelled case names an example document, an anchor phrase and a sentence; the
sentence is checked against the chunk (as ``baton ingest`` splits the file) that holds
the anchor. "Positive" means *flagged unsupported*: precision is the share of flagged
sentences that really are unsupported, recall the share of unsupported sentences that
are flagged. Run ``python -m benchmarks.grounding_eval`` for the table in RELIABILITY.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from baton.config import Settings
from baton.retrieval.ingest import load_document, splitter_for
from baton.tools.grounding import THRESHOLD, check_sentence

ROOT = Path(__file__).resolve().parents[1]
SETS = {
    "examples/docs (tuning)": (
        ROOT / "tests/data/grounding/labelled-docs.yaml",
        ROOT / "examples/docs",
    ),
    "held-out (hr, finance, brand)": (
        ROOT / "tests/data/grounding/labelled-heldout.yaml",
        ROOT / "examples",
    ),
}


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    tn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0


def chunk_for(base: Path, source: str, anchor: str) -> str:
    """The one chunk of ``source`` that contains ``anchor`` (first, if overlap repeats it)."""
    path = base / source
    doc = load_document(path)
    texts = splitter_for(doc.source, Settings()).split_text(doc.text)
    hits = [t for t in texts if anchor in t]
    if not hits:
        raise ValueError(f"{source}: no chunk contains {anchor!r}")
    return hits[0]


def evaluate(
    cases_file: Path, base: Path, threshold: float = THRESHOLD
) -> tuple[Score, list[dict[str, Any]]]:
    cases = yaml.safe_load(cases_file.read_text(encoding="utf-8"))["cases"]
    score, wrong = Score(), []
    for case in cases:
        text = chunk_for(base, case["source"], case["anchor"])
        verdict = check_sentence(case["sentence"], {"c": text}, ["c"], threshold=threshold)
        flagged, unsupported = not verdict.supported, case["label"] == "unsupported"
        if flagged and unsupported:
            score.tp += 1
        elif flagged:
            score.fp += 1
            wrong.append({**case, "reason": verdict.reason})
        elif unsupported:
            score.fn += 1
            wrong.append({**case, "reason": verdict.reason or f"score {verdict.score:.2f}"})
        else:
            score.tn += 1
    return score, wrong


def main() -> None:
    print(
        "| set | sentences | unsupported | flagged correctly | false alarms | missed |"
        " precision | recall |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, (cases_file, base) in SETS.items():
        s, wrong = evaluate(cases_file, base)
        total = s.tp + s.fp + s.fn + s.tn
        print(
            f"| {name} | {total} | {s.tp + s.fn} | {s.tp} | {s.fp} | {s.fn} |"
            f" {s.precision:.2f} | {s.recall:.2f} |"
        )
        for w in wrong:
            print(f"    {w['label']:>11}: {w['sentence']}  -> {w['reason']}")
    print("\nthreshold sweep (tuning set):")
    for t in (0.4, 0.5, 0.6, 0.7, 0.8):
        s, _ = evaluate(*SETS["examples/docs (tuning)"], threshold=t)
        h, _ = evaluate(*SETS["held-out (hr, finance, brand)"], threshold=t)
        print(
            f"  {t:.1f}: tuning P {s.precision:.2f} R {s.recall:.2f};"
            f" held-out P {h.precision:.2f} R {h.recall:.2f}"
        )


if __name__ == "__main__":
    main()
