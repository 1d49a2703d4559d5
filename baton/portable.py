"""Is the installed llama.cpp build portable to any x86-64 host with AVX2?

Why this exists: llama.cpp's default build (``GGML_NATIVE=ON``) compiles for every
instruction the *build* host advertises. A wheel built on a host with AMX or AVX-512
then dies with SIGILL, or a general protection fault at ``ldtilecfg``, on the first
matrix multiply on a host (or a VM) without them; the import and the server's start-up
still succeed, so nothing fails until a run does. ``requirements/llama-portable.txt``
pins a fixed instruction set (docs/portable-build.md); this module checks the result
two independent ways, so a green check on a host *without* AMX still proves the build
would run on one:

* the instructions actually in the shared libraries (``objdump -d``): any AVX-512
  register (``zmm``, the opmask ``k`` registers, ``xmm16-31``/``ymm16-31``), EVEX
  broadcast, AMX tile instruction or VNNI dot product is a finding;
* the features llama.cpp says it was compiled with (``llama_print_system_info``), which
  lists a feature only when its ``__AVX512F__``-style macro was defined at build time.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

# AVX2 plus FMA/F16C/BMI2 is the baseline (Haswell, 2013; every x86-64 cloud VM since).
BASELINE = ("AVX", "AVX2", "FMA", "F16C")
FORBIDDEN_FEATURES = re.compile(r"^(AVX512|AMX|AVX_VNNI)")

_AMX = {
    "ldtilecfg",
    "sttilecfg",
    "tileloadd",
    "tileloaddt1",
    "tilestored",
    "tilerelease",
    "tilezero",
    "tdpbssd",
    "tdpbsud",
    "tdpbusd",
    "tdpbuud",
    "tdpbf16ps",
    "tdpfp16ps",
}
# VNNI dot products exist only as AVX512_VNNI or AVX_VNNI (Alder Lake+), both beyond AVX2.
_VNNI = {"vpdpbusd", "vpdpbusds", "vpdpwssd", "vpdpwssds"}
_AVX512_OPERANDS = re.compile(
    r"%zmm\d+|%k[0-7]\b|%[xy]mm(?:1[6-9]|2\d|3[01])\b|\{1to\d+\}",
)
_LINE = re.compile(r"^\s*[0-9a-f]+:\t(.*)$")


def _kind(operand: str) -> str:
    if operand.startswith("{"):
        return "broadcast"
    if operand.startswith("%k"):
        return "opmask"
    if operand.startswith("%zmm"):
        return "zmm"
    return f"{operand[1:4]}16-31"


def scan_disassembly(text: str) -> Counter[str]:
    """Count forbidden instructions in ``objdump -d --no-show-raw-insn`` output.

    Only the instruction column is read (never symbol names or ``# comments``), so a
    function called ``tiled_run_microtile`` is not mistaken for an AMX instruction.
    Keys read ``"amx ldtilecfg"``, ``"vnni vpdpbusd"``, ``"avx512 zmm"``, ``"avx512
    opmask"``, ``"avx512 xmm16-31"`` or ``"avx512 broadcast"``.
    """
    found: Counter[str] = Counter()
    for raw in text.splitlines():
        match = _LINE.match(raw)
        if not match:
            continue
        insn = match.group(1).split("#", 1)[0]
        insn = re.sub(r"<[^>]*>", "", insn).strip()
        if not insn:
            continue
        words = insn.split()
        mnemonic = words[1] if words[0].startswith("{") and len(words) > 1 else words[0]
        if mnemonic in _AMX:
            found[f"amx {mnemonic}"] += 1
        elif mnemonic in _VNNI:
            found[f"vnni {mnemonic}"] += 1
        for operand in _AVX512_OPERANDS.findall(insn):
            found[f"avx512 {_kind(operand)}"] += 1
    return found


def llama_library_dir() -> Path | None:
    """The folder of llama-cpp-python's shared libraries, found without loading them."""
    from importlib.util import find_spec

    spec = find_spec("llama_cpp")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "lib"


def native_libraries(folder: Path | None = None) -> list[Path]:
    """Every distinct shared library (symlinks and version aliases resolved once)."""
    folder = folder or llama_library_dir()
    if folder is None or not folder.is_dir():
        return []
    seen: dict[Path, None] = {}
    for path in sorted(folder.glob("*.so*")):
        seen.setdefault(path.resolve(), None)
    return list(seen)


def disassemble(library: Path) -> str:
    """``objdump -d`` of one library (needs binutils); raises if objdump is missing."""
    objdump = shutil.which("objdump")
    if objdump is None:
        raise FileNotFoundError("objdump not found (apt-get install binutils)")
    proc = subprocess.run(
        [objdump, "-d", "--no-show-raw-insn", str(library)],
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout


def parse_system_info(info: str) -> dict[str, bool]:
    """``"CPU : AVX = 1 | AVX2 = 1 | ..."`` -> ``{"AVX": True, "AVX2": True, ...}``."""
    features: dict[str, bool] = {}
    for name, value in re.findall(r"([A-Z][A-Z0-9_]*)\s*=\s*(\d+)", info):
        features[name] = value != "0"
    return features


def build_features() -> dict[str, bool]:
    """The CPU features the installed llama.cpp was compiled with (loads the library)."""
    import llama_cpp

    raw = llama_cpp.llama_print_system_info()
    return parse_system_info(raw.decode() if isinstance(raw, bytes) else str(raw))


def feature_problems(features: dict[str, bool]) -> list[str]:
    """What makes a build non-portable (a forbidden feature) or below the baseline."""
    problems = [
        f"built with {name}"
        for name, on in features.items()
        if on and FORBIDDEN_FEATURES.match(name)
    ]
    problems += [f"built without {name}" for name in BASELINE if not features.get(name)]
    return problems
