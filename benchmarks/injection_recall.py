"""Recall of the prompt-injection detector per attack category, and its false alarms.

The labelled set is ``tests/data/injection/attacks.yaml``: attacks in plain English,
paraphrased, French, German, Spanish, base64-encoded, hidden in Unicode tag characters,
written with look-alike letters, and split across two neighbouring chunks; plus benign
business text in the same languages that must not be flagged. Run
``python -m benchmarks.injection_recall`` for the table in RELIABILITY.md.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from baton.retrieval.injection import scan, scan_chunks

DATA = Path(__file__).resolve().parents[1] / "tests/data/injection"
SETS = {
    "tuning set (patterns written against it)": DATA / "attacks.yaml",
    "held-out set (written after, never tuned on)": DATA / "attacks-heldout.yaml",
}


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    return data


def recall_by_category(path: Path) -> dict[str, tuple[int, int]]:
    """Category -> (attacks flagged, attacks)."""
    data = load(path)
    out: dict[str, tuple[int, int]] = {}
    for category, texts in data["attacks"].items():
        hits = sum(bool(scan(t, "doc")) for t in texts)
        out[category] = (hits, len(texts))
    pairs = data["split"]
    flagged = 0
    for pair in pairs:
        chunks = [
            {"id": f"{src}#{i}", "text": text, "source": src, "index": i} for src, i, text in pair
        ]
        alone = any(scan(c["text"], "doc") for c in chunks)
        flagged += bool(scan_chunks(chunks)) and not alone
    out["split across chunks"] = (flagged, len(pairs))
    return out


def false_alarms(path: Path) -> list[str]:
    return [t for t in load(path)["benign"] if scan(t, "doc")]


def main() -> None:
    for name, path in SETS.items():
        rows = recall_by_category(path)
        print(f"\n{name}\n")
        print("| attack category | attacks | flagged | recall |")
        print("|---|---|---|---|")
        for category, (hits, total) in rows.items():
            print(f"| {category} | {total} | {hits} | {hits / total:.0%} |")
        hits = sum(h for h, _ in rows.values())
        total = sum(t for _, t in rows.values())
        print(f"| **all** | **{total}** | **{hits}** | **{hits / total:.0%}** |")
        alarms = false_alarms(path)
        print(f"\nbenign texts flagged: {len(alarms)} of {len(load(path)['benign'])}")
        for text in alarms:
            print(f"  {text}")


if __name__ == "__main__":
    main()
