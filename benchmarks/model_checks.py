"""Objective checks of the models you configure, on one scenario's real task.

The scenario is content-calendar: the drafter agent writes an outline (title, meta
description, headings, key points, call to action) for each planned post. Each
configured model drafts every post of the example plan, once, through the real drafter
node (same prompt, same grammar-constrained schema); the brand critic's code rules from
``configs/brand.yaml`` then score what the model wrote, before any redraft or fallback:

- usable: the reply validated against the schema (else the agent falls back to a plan
  outline, and the post counts as failing every check below);
- keyword rules: keyword in title, first H2 and slug, title and meta lengths, a brand
  call to action, no banned words;
- claims supported: no number, date, price or product name that the roadmap and brand
  documents do not state (``find_unsupported_claims``);
- publishable: no rule failure at all (reading level and preferred words included).

The plan itself (topics, keywords, facts) comes from a run with the scripted model, so
every model drafts exactly the same posts.

Then each model's classification accuracy on a labelled set is scored
(:mod:`benchmarks.matching_labelled`: expense-reconciliation's matching adjudicator on
30 hand-labelled bank lines, against the code matcher's fallback); ``--no-classification``
skips it.

    python -m benchmarks.model_checks                         # the embedded SmolLM2
    python -m benchmarks.model_checks --model embedded \\
        --model big=gguf:/models/qwen2.5-1.5b-instruct-q4_k_m.gguf \\
        --model llama3.1=openai:http://localhost:11434/v1
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from baton.config import Settings, load_settings
from baton.context import RunContext
from baton.retrieval.testing import hashing_embed
from baton.runtime import Runner
from benchmarks import matching_labelled

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "examples" / "marketing"
KEYWORD_RULES = {
    "keyword_in_title",
    "keyword_in_h2",
    "keyword_in_slug",
    "title_length",
    "meta_description_length",
    "call_to_action",
    "banned_word",
    "slug_format",
}


def add_model_option(parser: argparse.ArgumentParser) -> None:
    """``--model SPEC`` (repeatable), read by :func:`model_settings`: the models to compare."""
    parser.add_argument(
        "--model",
        action="append",
        default=[],
        help="embedded | NAME=gguf:PATH | NAME=openai:URL (repeat to compare)",
    )


def model_settings(base: Settings, spec: str, home: Path) -> tuple[str, Settings]:
    """``embedded`` | ``NAME=gguf:PATH`` | ``NAME=openai:URL`` -> (label, settings)."""
    model = base.model.model_copy(update={"provider": "embedded"})
    label = spec
    if spec != "embedded":
        label, _, where = spec.partition("=")
        kind, _, target = where.partition(":")
        if kind == "gguf":
            model = model.model_copy(update={"gguf_path": Path(target), "model": label})
        elif kind == "openai":
            model = model.model_copy(
                update={
                    "provider": "openai",
                    "base_url": target,
                    "model": label,
                    "legacy_max_tokens": True,
                }
            )
            os.environ.setdefault(model.api_key_env, "unused")
        else:
            raise SystemExit(f"--model {spec}: expected NAME=gguf:PATH or NAME=openai:URL")
    settings = base.model_copy(update={"home": home / label.replace("/", "_"), "model": model})
    settings.cache.enabled = False
    return label, settings


def planned_state(tmp: Path) -> dict[str, Any]:
    """The example's content-calendar state at its review pause, from the scripted model."""
    import baton.retrieval.embeddings as embeddings

    embeddings.embed = hashing_embed  # the plan does not depend on embedding quality
    settings = load_settings().model_copy(update={"home": tmp / "plan-home"})
    settings.model.provider = "fake"
    settings.cache.enabled = False
    runner = Runner(settings)
    try:
        outcome = runner.start("content-calendar", EXAMPLE, review="always")
        return runner.state(outcome.run_id)
    finally:
        runner.close()


def score(label: str, settings: Settings, state: dict[str, Any]) -> dict[str, Any]:
    from baton.agents.marketing.drafter import draft, draft_task
    from baton.tools.marketing.brand import BrandConfig
    from baton.tools.marketing.models import Outline
    from baton.tools.marketing.review import review_outline

    cfg = BrandConfig.model_validate(state["brand"])
    facts = str(state.get("facts", ""))
    ctx = RunContext(run_id=f"model-checks-{label}", settings=settings)
    runtime = SimpleNamespace(context=ctx)
    posts = state.get("posts", [])
    usable = keyword_ok = claims_ok = publishable = 0
    started = time.perf_counter()
    for post in posts:
        task = draft_task(state, post, 1, [])
        task["use_model"] = True  # every post, not only the ones the run gives the model
        result = draft(task, runtime=runtime)["drafts"][post["id"]]  # type: ignore[arg-type]
        if result["source"] != "model":
            continue
        usable += 1
        outline = Outline.model_validate(result["outline"])
        failures = review_outline(outline, cfg, facts, target_keyword=post["target_keyword"])
        rules = {f.rule for f in failures}
        keyword_ok += not (rules & KEYWORD_RULES)
        claims_ok += "unsupported_claim" not in rules
        publishable += not rules
    seconds = time.perf_counter() - started
    n = len(posts) or 1
    return {
        "model": label,
        "posts": len(posts),
        "usable": usable / n,
        "keyword": keyword_ok / n,
        "claims": claims_ok / n,
        "publishable": publishable / n,
        "s_per_post": seconds / n,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_model_option(parser)
    parser.add_argument("--posts", type=int, default=0, help="only the first N posts (0: all)")
    parser.add_argument(
        "--no-classification", action="store_true", help="skip the labelled-set accuracy"
    )
    args = parser.parse_args(argv)
    specs = args.model or ["embedded"]
    rows = []
    accuracy = []
    with tempfile.TemporaryDirectory() as tmp:
        state = planned_state(Path(tmp))
        if args.posts:
            state["posts"] = state["posts"][: args.posts]
        base = load_settings()
        cases = matching_labelled.load_cases()
        for spec in specs:
            label, settings = model_settings(base, spec, Path(tmp))
            rows.append(score(label, settings, state))
            if not args.no_classification:
                accuracy.append(matching_labelled.score(label, settings, cases))
    print("\nModel checks: content-calendar drafts scored by the brand critic's code rules")
    print(
        f"{'model':<28} {'posts':>5} {'usable':>7} {'keyword rules':>14} "
        f"{'claims supported':>17} {'publishable':>12} {'s/post':>7}"
    )
    for r in rows:
        print(
            f"{r['model']:<28} {r['posts']:>5} {r['usable']:>7.0%} {r['keyword']:>14.0%} "
            f"{r['claims']:>17.0%} {r['publishable']:>12.0%} {r['s_per_post']:>7.1f}"
        )
    if accuracy:
        matching_labelled.print_table(accuracy)


if __name__ == "__main__":
    main()
