"""Add the RTX PRO 6000 Blackwell Server Edition's (sm_120) dense FP4 GEMM rows to registry_data/research/r-kernels/
gemm.csv: NVIDIA/cutlass PR #3272 ("Add Blackwell GeForce blockscaled GEMM examples"), whose description states
"Measured on RTX PRO 6000 Blackwell Server Edition with M=N=K=8192, warmup=50, iterations=100" and a "Best TFLOPS"
per mode: NVFP4 ~1629, MXFP4 ~1615 (MXFP8 ~802 and mixed FP4 x FP8 ~806 are left out: README.md).

gemm_fit.OWN_CEILING_ONLY gives fp4 its ceiling from its own fastest shaped row; these are the card's first.

Only lines whose notes name this script are touched: they are dropped and rebuilt on each run, every other line is kept
byte for byte, so a second run changes nothing.

    .venv/bin/python registry_data/research/r-rtxfp4/add_rows.py [REGISTRY]
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
MARK = "added by r-rtxfp4/add_rows.py"
URL = "https://github.com/NVIDIA/cutlass/pull/3272"
CARD = "RTX PRO 6000 Blackwell Server Edition"
LOCATION = ("PR description (shubaoyu2, 2026-05-25): 'Measured on RTX PRO 6000 Blackwell Server Edition with "
            "M=N=K=8192, warmup=50, iterations=100', table 'Mode | Best TFLOPS', row {mode} '~{tflops} TFLOPS'")
NOTES = ("GPU named in the source; CuTeDSL examples dense_blockscaled_gemm_persistent_cooperative.py / _pingpong.py "
         "(SM120 block-scaled MMA); 'Best TFLOPS' = the best of the examples' tile shapes (128x128x128, 128x128x256) "
         "and schedules (cooperative, ping-pong) at the one shape, the figure given as approximate ('~'); {scale}; "
         "operands pre-quantized (no activation quantization in the time); output dtype not stated; " + MARK)

ROWS = [
    {"dtype": "fp4_e2m1 (nvfp4: e4m3 scale per 16)", "achieved_tflops": "1629", "mode": "NVFP4",
     "scale": "NVFP4 = E2M1 x E2M1 with an E4M3 scale per 16 elements (the PR's table of modes)"},
    {"dtype": "fp4_e2m1 (mxfp4: ue8m0 scale per 32)", "achieved_tflops": "1615", "mode": "MXFP4",
     "scale": "MXFP4 = E2M1 x E2M1 with an E8M0 scale per 32 elements (the PR's table of modes)"},
]


def rows() -> list[dict]:
    """The PR's FP4 rows in gemm.csv's columns."""
    return [{"hardware": CARD, "vendor_hardware_name": f"NVIDIA {CARD}", "missing_in_catalog": "",
             "dtype": r["dtype"], "M": "8192", "N": "8192", "K": "8192", "layout": "",
             "achieved_tflops": r["achieved_tflops"], "time_s": "",
             "library": "CUTLASS CuTeDSL (SM120 block-scaled dense GEMM examples)",
             "library_version": "CUTLASS PR #3272 (2026-05)",
             "measurement_kind": "config sweep: best of tile shapes and schedules at one shape (dense)",
             "source_url": URL, "source_location": LOCATION.format(mode=r["mode"], tflops=r["achieved_tflops"]),
             "trust": "C", "notes": NOTES.format(scale=r["scale"])} for r in ROWS]


def main(registry: Path = REGISTRY) -> None:
    # r-gbsm's rewrite, by path: one implementation of replacing a script's marked lines in an r-kernels csv
    spec = importlib.util.spec_from_file_location("r_gbsm_add_rows", HERE.parent / "r-gbsm" / "add_rows.py")
    gbsm = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gbsm)
    print("gemm.csv rows:", gbsm.rewrite(registry / "research" / "r-kernels" / "gemm.csv", rows(), MARK))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else REGISTRY)
