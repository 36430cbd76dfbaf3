"""How int8 inference throughput scales with the board power limit on one die, from NVIDIA's own MLPerf Inference
MaxP / MaxQ pairs (same system, same harness, same engine; MaxQ sets ``power_limit`` per GPU in the config), and
whether that scaling reproduces the per-GPU spread between the SXM and the power-capped PCIe / NVL cards. Diagnosis
only: nothing here feeds a catalog (README.md §3b). Run from the repository root:

    .venv/bin/python registry_data/research/r-nonllm/power_scaling.py /work/.mirror

Model read off the pairs: throughput ~ P**alpha at fixed die (alpha = ln(ratio) / ln(P_low / P_high)); across
parts with N SMs, dynamic power ~ N f**(1/alpha) gives throughput ~ N**(1 - alpha) * P**alpha.
"""

from __future__ import annotations

import ast
import math
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from mlperf_configs import ROUNDS, assignments, resolved, show  # noqa: E402

BENCH = {"resnet50": "resnet50", "retinanet": "retinanet", "bert-99": "bert"}
# (round, results dir at full power, its board power W (NVIDIA datasheets: H100 SXM 700, H100 PCIe 350,
#  H200 SXM 700, A100 PCIe 300), results dir at MaxQ, MaxQ config class)
PAIRS = [
    ("v3.0", "H100-PCIe-80GBx8_TRT", 350.0, "H100-PCIe-80GBx8_TRT_MaxQ", "H100_PCIe_80GBx8_MaxQ"),
    ("v4.1", "H200-SXM-141GBx8_TRT", 700.0, "H200-SXM-141GBx8_TRT_MaxQ", "H200_SXM_141GBx8_MaxQ"),
    ("v3.0", "A100-PCIe-80GBx8_TRT", 300.0, "A100-PCIe-80GBx8_TRT_MaxQ", "A100_PCIe_80GBx8_MaxQ"),
]
# Per-GPU spread between parts of one die: (round, part dir, W, SMs, reference dir, W, SMs, catalog peak ratio).
# SM counts: H100 SXM 132, H100 PCIe 114, H100 NVL 132 (NVIDIA H100 datasheet); peak ratios from hardware.parquet.
SPREAD = [
    ("v3.0", "H100-PCIe-80GBx8_TRT", 350.0, 114, "DGX-H100_H100-SXM-80GBx8_TRT", 700.0, 132, 1513.0 / 1978.9),
]


def rate(mirror: Path, results: str, bench: str) -> float | None:
    text = show(mirror, f"closed/NVIDIA/results/{results}/{bench}/Offline/performance/run_1/mlperf_log_summary.txt")
    if text is None:
        return None
    for line in text.splitlines():
        if line.startswith("Samples per second"):
            return float(line.split(":")[1])
    return None


def power_limit(mirror: Path, bench: str, cls: str) -> float:
    base_values, base_bases = assignments(ast.parse(show(mirror, f"closed/NVIDIA/configs/{bench}/__init__.py") or ""))
    outer = resolved("GPUBaseConfig", base_values, base_bases, {})
    values, bases = assignments(ast.parse(show(mirror, f"closed/NVIDIA/configs/{bench}/Offline/__init__.py") or ""))
    return float(resolved(cls, values, bases, outer)["power_limit"])


def main(root: Path) -> None:
    hopper = []
    print("die pair | benchmark | W high -> low | rate high -> low (8 GPUs) | ratio | alpha")
    for round_name, high, watts, low, cls in PAIRS:
        mirror = root / ROUNDS[round_name] / "repo"
        for results_bench, config_bench in BENCH.items():
            a, b = rate(mirror, high, results_bench), rate(mirror, low, results_bench)
            capped = power_limit(mirror, config_bench, cls)
            ratio = b / a
            alpha = math.log(ratio) / math.log(capped / watts)
            if "A100" not in high:
                hopper.append(alpha)
            print(f"{high} | {results_bench} | {watts:.0f} -> {capped:.0f} | {a:,.1f} -> {b:,.1f} | {ratio:.3f} | {alpha:.3f}")
    alpha = statistics.median(hopper)
    print(f"Hopper median alpha over {len(hopper)} pairs: {alpha:.3f}")
    for round_name, part, watts, sms, ref, ref_watts, ref_sms, peak_ratio in SPREAD:
        mirror = root / ROUNDS[round_name] / "repo"
        for results_bench in BENCH:
            measured = rate(mirror, part, results_bench) / rate(mirror, ref, results_bench)
            power_only = (watts / ref_watts) ** alpha
            with_sms = power_only * (sms / ref_sms) ** (1 - alpha)
            print(f"{part} / {ref} | {results_bench} | measured {measured:.3f} | catalog peaks {peak_ratio:.3f} | "
                  f"P**alpha {power_only:.3f} | N**(1-alpha) P**alpha {with_sms:.3f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/.mirror"))
