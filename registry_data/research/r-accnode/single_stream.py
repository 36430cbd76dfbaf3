"""The node study's batch-1 latency rows (metric latency_s) under candidate launch / per-kernel-floor forms, by hand.

Diagnosis only: nothing here feeds a catalog or the package. Run from the repository root after a validation run:

    .venv/bin/mlsys validate --out /tmp/accnode-val0
    .venv/bin/python registry_data/research/r-accnode/single_stream.py /tmp/accnode-val0/validation/*/validation.parquet

For every latency_s row the node study predicts, it re-evaluates the configuration (``pipeline.api.evaluate``: the
row's model, hardware, batch, int8, tokens), checks that the catalog's form reproduces the validation's prediction,
then prices the same compute and memory terms under the forms of README.md §3:

- F0 (catalog): max(compute, memory) + N_spec x 4 us (the spec's 11 kernels a transformer layer, 1 a CNN layer).
- F1: F0 with TensorRT's kernel count (NVIDIA's MLPerf BERT int8 network: 7 a layer + 2; README §2).
- F2: under a CUDA graph (the harness's ``use_graphs``: ResNet-50 and BERT SingleStream, not RetinaNet; README §1)
  the host cost is one replay (2.5 us + 1 ns a node, CUDA 12.6: the serving profiles' figure) and every kernel
  pays its device floor alpha on the critical path: max(compute, memory) + N x alpha + replay. Without a graph
  the launches overlap the device: max(N x 4 us, N x alpha + max(compute, memory)) (r-prefill §4).
  alpha is the catalog's ``kernel_efficiency.memory_latency_s`` (Ampere 6.77 us, Hopper 4.11 us); Ada has none,
  so F2 is printed with Ada's alpha at 0 and at Ampere's 6.77 us (a bracket, not a value).
- F3: F2's graph form with alpha as a number of SM clock cycles (the A100 microbenchmark's 6.77 us x 1.41 GHz; Ada
  has no catalog alpha, so 9,551 cycles at its clock) and the per-call fixed cost counted once: alpha carries it,
  so the work is max(FLOP / (peak x the kernel fit's ceiling), bytes / bandwidth), without the K loop's k_half,
  wave and tile losses that are the same fixed cost again (README §4). Rows without a graph keep F0.
"""

from __future__ import annotations

import statistics
import sys

import duckdb

from pipeline import api

EAGER_S = 4e-6            # the 'default' framework's eager launch (efficiency_profiles)
REPLAY_S = 2.5e-6         # one CUDA-graph replay (CUDA 12.6 straight-line graphs, NVIDIA blog 2024-09-11)
REPLAY_PER_NODE_S = 1e-9
SQUAD_TOKENS = 177        # MLPerf BERT-99 runs unpadded SQuAD v1.1: 176.6 tokens a sample (the catalog's workload)
# TensorRT kernels a step (README §2): BERT int8 24 layers x 7 (4 GEMMs as 1x1 convs, fused MHA, 2 skip-LayerNorms;
# GELU fused into FC1) + embedding plugin + SQuAD head; ResNet-50 and RetinaNet keep the spec's count.
TRT_KERNELS = {"BERT-Large": 24 * 7 + 2}
# Clock each datasheet int8 dense peak is quoted at: peak = SMs x int8 ops per clock per SM x clock (README §3):
# GA100 4,096 a clock per SM (A100 108 SMs, A30 56), GA102 2,048 (A40 84), Ada 2,048 (L40S 142, L4 58), Hopper 8,192
# (H100 SXM 132, PCIe 114), Turing 2,048 (T4 40); SMs = CUDA cores / 64 (GA100, Turing) or / 128 (the others).
SM_OPS = {"A100 SXM4 80GB": (108, 4096), "A100 PCIe 80GB": (108, 4096), "A30": (56, 4096), "A40": (84, 2048),
          "L40S": (142, 2048), "L4": (58, 2048), "H100 SXM5 80GB": (132, 8192), "H100 PCIe 80GB": (114, 8192),
          "T4": (40, 2048)}
PEAK_INT8 = {"A100 SXM4 80GB": 624e12, "A100 PCIe 80GB": 624e12, "A30": 330e12, "A40": 299.3e12, "L40S": 733e12,
             "L4": 242.5e12, "H100 SXM5 80GB": 1978.9e12, "H100 PCIe 80GB": 1513e12, "T4": 130e12}   # hardware.parquet
CLOCK_HZ = {hw: PEAK_INT8[hw] / (sms * ops) for hw, (sms, ops) in SM_OPS.items()}
# The catalog's Ampere alpha (sgl-kernel's A100 sweeps, memory_latency_s) in A100 cycles: 9,555.
ALPHA_CYCLES = 6.773810894574074e-06 * CLOCK_HZ["A100 SXM4 80GB"]
DEFAULT_CEILING = 0.9088450336452643            # the kernel fit's default ceiling (median of the MAMF ceilings)
GRAPHS = {"ResNet-50": True, "BERT-Large": True, "RetinaNet": False}   # NVIDIA configs, SingleStream use_graphs


# Shortest query of each MLPerf SingleStream run (mlperf_log_summary.txt "Min latency (ns)"; bare mirrors of
# mlcommons/inference_results_v3.0 at 1948f9b5 and v4.1 at 198fc46, made with the session's fetch tool). Not
# validation rows (those are the p90 of the same runs): the fixed part of F3 (N x alpha + weights / bandwidth, no
# compute) is a lower bound that these must not undercut by much, and for BERT's shortest samples nearly all of it.
SUPERMICRO_H100_PCIE = "v3.0 closed/Supermicro/results/SYS-221HE-FTNR-EDGE_1_H100-PCIe-80GB_TRT"
MIN_LATENCY_S = {
    ("BERT-Large", "A100 SXM4 80GB"): (1.317632e-3, "v3.0 closed/NVIDIA/results/DGX-A100_A100-SXM-80GBx1_TRT"),
    ("BERT-Large", "A30"): (1.753613e-3, "v3.0 closed/Dell/results/XR4520c_A30x1_TRT"),
    ("BERT-Large", "A40"): (1.748011e-3, "v3.0 closed/Inspur/results/NE5260M5_A40x2_TRT"),
    ("BERT-Large", "L4"): (1.954579e-3, "v3.0 closed/NVIDIA/results/L4x1_TRT"),
    ("BERT-Large", "L40S"): (0.971877e-3, "v4.1 closed/Lenovo/results/Lenovo_2xL40S_TRT"),
    ("BERT-Large", "H100 PCIe 80GB"): (1.217379e-3, SUPERMICRO_H100_PCIE),
    ("BERT-Large", "T4"): (3.572177e-3, "v3.0 closed/Dell/results/XE2420_T4x1_TRT"),
    ("ResNet-50", "A100 SXM4 80GB"): (0.445874e-3, "v3.0 closed/NVIDIA/results/DGX-A100_A100-SXM-80GBx1_TRT"),
    ("ResNet-50", "A30"): (0.506642e-3, "v3.0 closed/Dell/results/XR4520c_A30x1_TRT"),
    ("ResNet-50", "A40"): (0.445075e-3, "v3.0 closed/Inspur/results/NE5260M5_A40x2_TRT"),
    ("ResNet-50", "L4"): (0.328915e-3, "v3.0 closed/NVIDIA/results/L4x1_TRT"),
    ("ResNet-50", "L40S"): (0.301065e-3, "v4.1 closed/Lenovo/results/Lenovo_2xL40S_TRT"),
    ("ResNet-50", "H100 PCIe 80GB"): (0.396698e-3, SUPERMICRO_H100_PCIE),
    ("ResNet-50", "T4"): (0.794071e-3, "v3.0 closed/Dell/results/XE2420_T4x1_TRT"),
}


def floor_check() -> None:
    """The fixed part against each run's shortest query: N x alpha + weight bytes / bandwidth + one replay, alpha
    the catalog's (where the part has one) and the A100's cycles at the part's clock."""
    print("\nN x alpha + weights / bandwidth + replay against the run's shortest query (catalog alpha | cycles):")
    for (model, hardware), (measured, where) in MIN_LATENCY_S.items():
        t = terms(model, hardware, 1, None, "SQuAD v1.1" if model == "BERT-Large" else None)
        n = TRT_KERNELS.get(model, t["kernel_launches"])
        stream = t["weight_traffic_bytes"] / t["memory_bandwidth_bytes_per_s"] + REPLAY_S
        cat_alpha, _ = fit(hardware)
        cyc = ALPHA_CYCLES / CLOCK_HZ[hardware]
        cat = f"{100 * ((n * cat_alpha + stream) / measured - 1):+6.1f} %" if cat_alpha else f"{'-':>8}"
        print(f"  {model:10} {hardware:15} {CLOCK_HZ[hardware] / 1e9:4.2f} GHz N {n:3.0f} min {measured * 1e3:6.3f} "
              f"ms: {cat} | alpha {cyc * 1e6:4.2f} us {(n * cyc + stream) * 1e3:6.3f} ms "
              f"{100 * ((n * cyc + stream) / measured - 1):+6.1f} %  [{where.split('/')[-1]}]")


# p90 of SingleStream runs on parts with no latency_s row (same mirrors and files as MIN_LATENCY_S, "90.00
# percentile latency (ns)"): a held-out check of F0 and F3, nothing fitted to it.
HELD_OUT_P90_S = {
    ("BERT-Large", "A100 PCIe 80GB"): 1.571884e-3, ("BERT-Large", "A30"): 2.210470e-3,
    ("BERT-Large", "A40"): 2.149203e-3, ("BERT-Large", "H100 PCIe 80GB"): 1.351599e-3,
    ("BERT-Large", "T4"): 6.083613e-3,
    ("ResNet-50", "A100 PCIe 80GB"): 0.476417e-3, ("ResNet-50", "A30"): 0.522565e-3,
    ("ResNet-50", "A40"): 0.458203e-3, ("ResNet-50", "H100 PCIe 80GB"): 0.420681e-3,
    ("ResNet-50", "T4"): 0.818142e-3,
}


def held_out() -> None:
    """F0 and F3 (and F3 with alpha in cycles on every part) on the SingleStream p90s of parts without a row."""
    print("\nheld-out SingleStream p90s (no latency_s row): F0 | F3 (catalog alpha first) | F3 (cycles everywhere)")
    errs: dict[str, list[float]] = {"F0": [], "F3": [], "F3 cycles": []}
    for (model, hardware), measured in HELD_OUT_P90_S.items():
        t = terms(model, hardware, 1, None, "SQuAD v1.1" if model == "BERT-Large" else None)
        got = forms(t, model, hardware, 0.0)
        n = TRT_KERNELS.get(model, t["kernel_launches"])
        cyc = ALPHA_CYCLES / CLOCK_HZ[hardware]
        cycles = got["F3"] - n * (fit(hardware)[0] or cyc) + n * cyc
        pct = [100 * (v / measured - 1) for v in (got["F0"], got["F3"], cycles)]
        for k, v in zip(errs, pct):
            errs[k].append(abs(v))
        print(f"  {model:10} {hardware:15} p90 {measured * 1e3:6.3f} ms: " + " | ".join(f"{v:+6.1f} %" for v in pct))
    print("  median |error|: " + ", ".join(f"{k} {statistics.median(v):.1f} %" for k, v in errs.items()))


def rows(parquet: str) -> list[tuple]:
    return duckdb.sql(f"select name, model, hardware, batch, seq_len, dataset, measured, predicted from "
                      f"'{parquet}' where metric = 'latency_s' and predicted is not null order by model, hardware"
                      ).fetchall()


def fit(hardware: str) -> tuple[float | None, float]:
    got = duckdb.sql("select memory_latency_s, ceiling from 'registry_data/kernel_efficiency.parquet' where "
                     "hardware = ? and precision = 'int8'", params=[hardware]).fetchall()
    return (got[0][0], got[0][1] or DEFAULT_CEILING) if got else (None, DEFAULT_CEILING)


def alpha(hardware: str) -> float | None:
    got = duckdb.sql("select memory_latency_s from 'registry_data/kernel_efficiency.parquet' where hardware = ? "
                     "and precision = 'int8'", params=[hardware]).fetchall()
    return got[0][0] if got and got[0][0] is not None else None


def terms(model: str, hardware: str, batch: int, seq_len: int | None, dataset: str | None) -> dict:
    tokens = SQUAD_TOKENS if dataset == "SQuAD v1.1" else (seq_len or 2048)
    frame = api.evaluate(model, hardware, batch=batch, compute_dtype="int8", seq_len=tokens)
    return frame.row(0, named=True)


def forms(t: dict, model: str, hardware: str, ada_alpha: float) -> dict[str, float]:
    work = max(t["compute_time_s"], t["memory_time_s"])
    n_spec = t["kernel_launches"]
    n_trt = TRT_KERNELS.get(model, n_spec)
    a = alpha(hardware)
    a = ada_alpha if a is None else a
    f0 = work + n_spec * EAGER_S
    f1 = work + n_trt * EAGER_S
    if GRAPHS[model] and t["batch"] == 1:
        f2 = work + n_trt * a + REPLAY_S + n_trt * REPLAY_PER_NODE_S
    else:
        f2 = max(n_trt * EAGER_S, n_trt * a + work)
    f3 = f0
    if GRAPHS[model] and t["batch"] == 1:
        cat_alpha, ceiling = fit(hardware)
        a3 = cat_alpha if cat_alpha is not None else ALPHA_CYCLES / CLOCK_HZ[hardware]
        work3 = max(t["step_flop"] / (t["peak_flop_per_s"] * ceiling), t["memory_time_s"])
        f3 = n_trt * a3 + work3 + REPLAY_S + n_trt * REPLAY_PER_NODE_S
    return {"F0": f0, "F1": f1, "F2": f2, "F3": f3}


def main(parquet: str) -> None:
    table = rows(parquet)
    errors: dict[str, list[float]] = {}
    for ada_alpha in (0.0, 6.77e-6):
        print(f"\nAda alpha = {ada_alpha * 1e6:.2f} us (no catalog value)")
        print(f"{'row':66} {'measured':>9} {'F0':>7} {'F1':>7} {'F2':>7} {'F3':>7}   (ms, then % error)")
        for name, model, hardware, batch, seq_len, dataset, measured, predicted in table:
            t = terms(model, hardware, batch, seq_len, dataset)
            got = forms(t, model, hardware, ada_alpha)
            if abs(got["F0"] / predicted - 1) > 1e-9:
                raise SystemExit(f"{name}: F0 {got['F0']} does not reproduce the validation's {predicted}")
            pct = {k: 100 * (v / measured - 1) for k, v in got.items()}
            for k, v in pct.items():
                errors.setdefault(f"{k} (Ada alpha {ada_alpha * 1e6:.2f} us)", []).append(abs(v))
            print(f"{name:66} {measured * 1e3:9.3f} " + " ".join(f"{got[k] * 1e3:7.3f}" for k in got)
                  + "   " + " ".join(f"{pct[k]:+6.1f}" for k in pct))
    print("\nmedian |error| over the rows:")
    for k, v in errors.items():
        print(f"  {k}: {statistics.median(v):.1f} % ({len(v)} rows)")
    floor_check()
    held_out()


if __name__ == "__main__":
    main(sys.argv[1])
