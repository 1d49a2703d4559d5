"""``python -m benchmarks``: run every benchmark, one table each.

Each benchmark measures its comparison side by side in one process, because these
2-core machines are too noisy for absolute timings to mean much across runs.
"""

from __future__ import annotations

import sys

from benchmarks import (
    caching,
    checkpoints,
    concurrency,
    embedded_e2e,
    ingest,
    kpi_nab,
    kpi_synth,
    model_checks,
    model_speed,
    overhead,
    parallel_drafting,
    retrieval_quality,
    workers,
)


def main() -> None:
    quick = "--quick" in sys.argv
    overhead.main(["--runs", "10" if quick else "30"])
    ingest.main(["--copies", "4" if quick else "12"])
    parallel_drafting.main([])
    concurrency.main(["--runs", "30" if quick else "100"])
    checkpoints.main(["--runs", "4" if quick else "10"])
    retrieval_quality.main([])
    caching.main([])
    embedded_e2e.main([])
    model_speed.main(["--reps", "1" if quick else "5"])
    model_checks.main(["--posts", "3"] if quick else [])
    workers.main(["--quick"] if quick else [])
    kpi_nab.main([])
    kpi_synth.main(["--quick"] if quick else [])
    try:
        from benchmarks import reconciliation
    except ImportError:  # pragma: no cover - optional while scenarios land
        return
    reconciliation.main(["--quick"] if quick else [])


if __name__ == "__main__":
    main()
