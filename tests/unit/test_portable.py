"""The portability scanner finds AVX-512 and AMX in disassembly and ignores look-alikes."""

from __future__ import annotations

from baton.portable import feature_problems, parse_system_info, scan_disassembly

CLEAN = """
0000000000013210 <_Z19tiled_run_microtileILi16E@plt>:
   13210:\tjmp    *0x129eda(%rip)        # 13d0f0 <tiled_run_microtile@@Base+0xc40d0>
   15c78:\tvfmadd231ss 0xfb273(%rip),%xmm0,%xmm4        # 110ef4 <ggml_gemm_q2_K_8x8_q8_K>
   15c80:\tvpmaddubsw %ymm1,%ymm2,%ymm3
   15c88:\tvmovups %ymm15,(%rdi)
"""


def test_clean_avx2_code_has_no_findings() -> None:
    assert scan_disassembly(CLEAN) == {}


def test_amx_avx512_and_vnni_are_found() -> None:
    dirty = CLEAN + (
        "   20000:\tldtilecfg (%rax)\n"
        "   20008:\ttdpbusd %tmm2,%tmm1,%tmm0\n"
        "   20010:\tvaddps %zmm1,%zmm2,%zmm3\n"
        "   20018:\tvmovdqu8 %ymm1,(%rdi){%k1}\n"
        "   20020:\tvpxord %xmm17,%xmm17,%xmm17\n"
        "   20028:\tvbroadcastss (%rax){1to16},%zmm0\n"
        "   20030:\t{vex} vpdpbusd %ymm1,%ymm2,%ymm3\n"
    )
    found = scan_disassembly(dirty)
    assert found["amx ldtilecfg"] == 1
    assert found["amx tdpbusd"] == 1
    assert found["avx512 zmm"] == 4
    assert found["avx512 opmask"] == 1
    assert found["avx512 xmm16-31"] == 3
    assert found["avx512 broadcast"] == 1
    assert found["vnni vpdpbusd"] == 1


def test_system_info_features() -> None:
    info = "CPU : SSE3 = 1 | AVX = 1 | AVX2 = 1 | F16C = 1 | FMA = 1 | BMI2 = 1 | AVX512 = 0 |"
    features = parse_system_info(info)
    assert features["AVX2"] and not features["AVX512"]
    assert feature_problems(features) == []
    native = parse_system_info(info + " AVX512 = 1 | AMX_INT8 = 1 |")
    assert feature_problems(native) == ["built with AVX512", "built with AMX_INT8"]
    assert feature_problems(parse_system_info("CPU : SSE3 = 1 |")) == [
        "built without AVX",
        "built without AVX2",
        "built without FMA",
        "built without F16C",
    ]
