"""Embedded-model speed: tokens per second of llama.cpp builds, side by side in one run.

Compares the installed build (the portable one from ``requirements/llama-portable.txt``)
with any other build of ``llama-cpp-python`` given as a wheel, e.g. a native
(``GGML_NATIVE=ON``) wheel built with ``pip wheel --no-cache-dir llama-cpp-python``, or
with another build of just its CPU backend (``--cpu-lib``): ``GGML_NATIVE`` adds
``-march=native`` to the ``ggml-cpu`` target only (every other library compiles with the
same flags either way), so a copy of the installed package whose ``libggml-cpu.so`` is
swapped for a native one is the native build's compute path, at a fraction of the
compile time on a busy machine.
Each measurement is a fresh process (the other build is put first on ``PYTHONPATH``),
and the builds alternate rep by rep, so background load hits both alike; the table
reports medians and the ratio to the installed build. Prompt processing and generation
are timed by llama.cpp itself (``llama_perf_context``); generation bans the end-of-text
token so every rep generates the same number of tokens.

    python -m benchmarks.model_speed [--wheel native=/path/llama_cpp_python-...whl]
    python -m benchmarks.model_speed --cpu-lib native=/path/build/bin/libggml-cpu.so
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

WORKER = r"""
import json, sys
import llama_cpp
gguf, tokens, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
llm = llama_cpp.Llama(gguf, n_ctx=2048, n_threads=threads, verbose=False)
prompt = ("Summarise the travel policy for new staff: economy class for flights under six "
          "hours, receipts for every claim above twenty pounds, approval by the line manager "
          "before booking, and no first-class rail travel. ") * 3
llm.create_completion("Hello", max_tokens=2, temperature=0)  # warm-up
llama_cpp.llama_perf_context_reset(llm.ctx)
llm.reset()
llm.create_completion(prompt, max_tokens=tokens, temperature=0,
                      logit_bias={llm.token_eos(): -1e9})
perf = llama_cpp.llama_perf_context(llm.ctx)
info = llama_cpp.llama_print_system_info()
print(json.dumps({
    "prompt_tokens": perf.n_p_eval, "prompt_ms": perf.t_p_eval_ms,
    "gen_tokens": perf.n_eval, "gen_ms": perf.t_eval_ms,
    "module": llama_cpp.__file__,
    "info": info.decode() if isinstance(info, bytes) else str(info),
}))
"""


def _unpack(wheel: Path, into: Path) -> Path:
    if wheel.is_dir():
        return wheel
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(into)
    return into


def _with_cpu_lib(lib: Path, into: Path) -> Path:
    """A copy of the installed ``llama_cpp`` package whose CPU backend is ``lib``."""
    spec = importlib.util.find_spec("llama_cpp")
    if spec is None or spec.origin is None:
        raise SystemExit("llama_cpp is not installed")
    package = shutil.copytree(Path(spec.origin).parent, into / "llama_cpp")
    swapped = sorted((package / "lib").glob("libggml-cpu.so*"))
    if not swapped:
        raise SystemExit(f"no libggml-cpu.so in {package / 'lib'} to replace")
    for target in swapped:
        target.unlink()
        shutil.copyfile(lib, target)
    return into


def _measure(gguf: Path, tokens: int, threads: int, path: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    if path is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(path), env.get("PYTHONPATH")]))
    proc = subprocess.run(
        [sys.executable, "-c", WORKER, str(gguf), str(tokens), str(threads)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    if path is not None and not result["module"].startswith(str(path)):
        raise RuntimeError(f"the build under {path} was not the one imported: {result['module']}")
    return result


def _features(info: str) -> str:
    from baton.portable import parse_system_info

    on = [name for name, enabled in parse_system_info(info).items() if enabled]
    simd = [n for n in on if n.startswith(("AVX", "AMX", "F16C", "FMA", "BMI2"))]
    return " ".join(simd)


def measure(
    wheels: dict[str, Path],
    reps: int,
    tokens: int,
    threads: int,
    cpu_libs: dict[str, Path] | None = None,
) -> list[dict[str, Any]]:
    from baton.llm_server import gguf_path

    gguf = gguf_path()
    with tempfile.TemporaryDirectory() as tmp:
        builds: dict[str, Path | None] = {"installed (portable)": None}
        for name, wheel in wheels.items():
            builds[name] = _unpack(wheel, Path(tmp) / name)
        for name, lib in (cpu_libs or {}).items():
            builds[name] = _with_cpu_lib(lib, Path(tmp) / name)
        samples: dict[str, list[dict[str, Any]]] = {name: [] for name in builds}
        for _ in range(reps):
            for name, path in builds.items():  # alternate: load hits every build alike
                samples[name].append(_measure(gguf, tokens, threads, path))
    rows = []
    for name, runs in samples.items():
        prompt = statistics.median(r["prompt_tokens"] / r["prompt_ms"] * 1000 for r in runs)
        gen = statistics.median(r["gen_tokens"] / r["gen_ms"] * 1000 for r in runs)
        rows.append(
            {
                "build": name,
                "features": _features(runs[0]["info"]),
                "prompt_tps": prompt,
                "gen_tps": gen,
                "prompt_tokens": runs[0]["prompt_tokens"],
                "gen_tokens": runs[0]["gen_tokens"],
                "reps": len(runs),
            }
        )
    return rows


def _named(spec: str) -> tuple[str, Path]:
    name, _, path = spec.partition("=")
    return name, Path(path)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--wheel",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="another llama-cpp-python build (wheel file or unpacked folder) to compare",
    )
    parser.add_argument(
        "--cpu-lib",
        action="append",
        default=[],
        metavar="NAME=PATH",
        help="another build of libggml-cpu.so, run inside a copy of the installed package",
    )
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--tokens", type=int, default=64, help="tokens to generate per rep")
    parser.add_argument("--threads", type=int, default=max(1, os.cpu_count() or 1))
    args = parser.parse_args(argv)
    wheels = dict(_named(spec) for spec in args.wheel)
    cpu_libs = dict(_named(spec) for spec in args.cpu_lib)
    load_before = os.getloadavg()[0]
    rows = measure(wheels, args.reps, args.tokens, args.threads, cpu_libs)
    load_after = os.getloadavg()[0]
    base = rows[0]
    print(
        f"\nEmbedded model speed (SmolLM2-135M Q4_1, {args.threads} threads, median of "
        f"{args.reps} alternating reps; load average {load_before:.1f} -> {load_after:.1f})"
    )
    print(
        f"{'build':<22} {'compiled with':<32} {'prompt tok/s':>12} {'gen tok/s':>10} "
        f"{'prompt ×':>9} {'gen ×':>7}"
    )
    for row in rows:
        print(
            f"{row['build']:<22} {row['features']:<32} {row['prompt_tps']:>12.1f} "
            f"{row['gen_tps']:>10.1f} {row['prompt_tps'] / base['prompt_tps']:>9.2f} "
            f"{row['gen_tps'] / base['gen_tps']:>7.2f}"
        )
    print(f"({base['prompt_tokens']} prompt tokens, {base['gen_tokens']} generated tokens per rep)")


if __name__ == "__main__":
    main()
