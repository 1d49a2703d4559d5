"""The installed llama.cpp build runs on any x86-64 host with AVX2: proven from the binaries.

Why from the binaries: the crash this guards against (AMX or AVX-512 code built by
``GGML_NATIVE`` on the build host) never shows on a host without those instructions
until it is deployed elsewhere. Disassembling every shared library, and reading the
features llama.cpp recorded at compile time, proves portability on any CI host.
"""

from __future__ import annotations

import os
import platform
import shutil

import pytest

from baton.portable import (
    build_features,
    disassemble,
    feature_problems,
    native_libraries,
    scan_disassembly,
)

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(platform.machine() != "x86_64", reason="x86-64 instruction check"),
]


def _need_objdump() -> None:
    if shutil.which("objdump") is None:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            raise RuntimeError("objdump is missing in CI (apt-get install binutils)")
        pytest.skip("objdump not installed (apt-get install binutils)")


def test_native_libraries_hold_no_avx512_or_amx() -> None:
    _need_objdump()
    libraries = native_libraries()
    names = {lib.name.split(".so")[0] for lib in libraries}
    assert {"libllama", "libggml-cpu"} <= names, names
    findings = {lib.name: scan_disassembly(disassemble(lib)) for lib in libraries}
    bad = {name: dict(found.most_common(5)) for name, found in findings.items() if found}
    assert not bad, f"non-portable instructions (see docs/portable-build.md): {bad}"


def test_recorded_build_flags_are_the_portable_set() -> None:
    features = build_features()
    assert features.get("AVX2"), features
    assert feature_problems(features) == [], features
