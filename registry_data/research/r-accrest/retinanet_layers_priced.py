"""RetinaNet SingleStream (NVIDIA's TensorRT harness, int8, no CUDA graph) priced conv by conv, by hand.

Diagnosis only: nothing here feeds a catalog or the package. Run from the repository root after a validation run:

    .venv/bin/mlsys validate --out /tmp/accrest-val
    .venv/bin/python registry_data/research/r-accrest/retinanet_layers_priced.py \
        /tmp/accrest-val/validation/*/validation.parquet

Today's form (F0, r-accnode) prices RetinaNet as one roofline over the step, 402.4 GFLOP at the profile's eta
(0.3 on Ada) + 111 kernels x 4 us eager launches. What NVIDIA's harness runs (inference_results_v4.1 198fc46,
closed/NVIDIA/code/retinanet/tensorrt, configs/retinanet/SingleStream): one int8 engine, every conv with its bias /
frozen BN / ReLU / residual add fused (retinanet_graphsurgeon.py), the NMS on the GPU in the same engine
(``NMS_OPT_TRT``, topK 1,000, int8 confidences ``supportsInt8ConfInputs``), ``use_graphs = False``,
``gpu_batch_size 1``, input copied host -> device per query except on the A100 SXM (``start_from_device``).

The forms, per conv i of r-mlpmodels' layer list (retinanet_layers.py, imported; implicit GEMM M = H_out x W_out,
N = C_out, K = C_in / groups x k x k):

- R1: sum_i max(FLOP_i / (peak x eta_i), bytes_i / (bandwidth x eta_memory)), eta_i the kernel fit's GEMM model
  (pipeline.walls.gemm.gemm_capped_efficiency: ceiling x wave x tile x K loop, capped at the best shape) with
  k_half at TensorRT's 8-bit output (gemm_k_half_at_output); + the input's host -> device copy (1.92 MB at the
  catalog's host link) + the NMS reading the int8 class scores once (a lower bound) + one launch (4 us): without a
  graph the host enqueues ahead of the device, whose kernels here are longer than a launch (r-prefill §4).
- R2: the same with k_half = 0 and alpha (9,555 A100 cycles at the part's clock, r-accnode §3) once per kernel:
  r-accf4's F4 split of the fixed cost, conv by conv.
- R1w: R1 with k_half at the fit's 16-bit C (the catalog as it is).
- R3: R1 + alpha once per conv: the kernel fit's K-loop cost per tile and wave kept (a throughput cost, which the
  offline check below supports) and the per-kernel floor added at batch 1, where every conv is on the critical path.
- R4: R3 with the tile's fixed time in cycles, not the ridge law: the A100 fit's t_fix (5.84 us at 16-bit C,
  r-accnode §4) as A100 cycles at the part's clock, in K steps k_half = t_fix x peak / (2 tile_m tile_n SMs),
  halved for int8 C. On the A100 R4 = R3; on the L40S k_half 1,427 -> 257 (r-accnode §4's x 0.18).
- R5: R4 with each conv's first wave's fixed part replaced by alpha (alpha + (waves - 1) x t_fix a conv): F4's
  accounting (r-accf4: one-wave GEMMs at k_half = 0 + alpha) carried to multi-wave kernels, so a one-wave kernel
  counts the fixed cost once, as in F4.

Parts without an int8 kernel fit (L4, A30, A40) get the fit's default form as in r-accf4 (their SMs, 128 x 128
tiles, default ceiling / best fraction) and k_half = the catalog's coefficient (A100's k_half / ridge) x their
ridge point. Nothing is fitted to any MLPerf figure.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import duckdb
import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "r-accf4"))
sys.path.insert(0, str(HERE.parent / "r-mlpmodels"))
import f4_single_stream as f4  # noqa: E402  (r-accf4: F4; r-accnode's F0 / clocks via f4.ss)
import retinanet_layers as rl  # noqa: E402  (r-mlpmodels: the layer list behind the catalog's 402.4 GFLOP)

from pipeline import api  # noqa: E402
from pipeline.units import col  # noqa: E402
from pipeline.walls.gemm import gemm_capped_efficiency, gemm_rows, gemm_split_k, gemm_tiles  # noqa: E402

ss = f4.ss
INPUT_BYTES = 3 * 800 * 800          # one int8 800 x 800 x 3 image (preprocess_data.py: INT8, linear / CHW4)
EAGER_S = ss.EAGER_S
FROM_DEVICE = {"A100 SXM4 80GB"}     # configs/retinanet/SingleStream: start_from_device = True (A100 SXM only)
TRT_OUTPUT_BYTES = 1.0               # TensorRT int8: every conv writes int8 (gemm_k_half_at_output)
FIT_OUTPUT_BYTES = 2.0               # the kernel fit's rows write 16-bit C

# SingleStream runs of RetinaNet (mlperf_log_summary.txt "90th percentile latency (ns)" and "Mean latency (ns)";
# v3.0 bare mirror 1948f9b5, v4.1 198fc46, made with the session's fetch tool; v3.1 eaf622a through read_file).
# TensorRT (systems/*.json "framework"): v3.0 8.6.0, v3.1 9.0.0, v4.1 Lenovo 9.3.0, Dell XR8620 10.2.0. The first
# three are the validation rows; the rest have no row and are reported held out (nothing is fitted to any of them).
RUNS = [  # (source, hardware, p90 s, mean s, validation row?)
    ("v4.1 Lenovo Lenovo_2xL4_TRT", "L4", 3.813831e-3, 3.773005e-3, True),
    ("v4.1 Dell XR8620_L4x1_TRT", "L4", 4.829757e-3, 4.732906e-3, True),
    ("v4.1 Lenovo Lenovo_2xL40S_TRT", "L40S", 1.809411e-3, 1.776510e-3, True),
    ("v3.0 NVIDIA DGX-A100_A100-SXM-80GBx1_TRT", "A100 SXM4 80GB", 2.734424e-3, 2.665027e-3, False),
    ("v3.0 NVIDIA A100-PCIe-80GBx1_TRT", "A100 PCIe 80GB", 2.944300e-3, 2.866949e-3, False),
    ("v3.0 Dell XR4520c_A30x1_TRT", "A30", 4.365133e-3, 4.290497e-3, False),
    ("v3.0 H3C R5350G6_A30x1_TRT", "A30", 4.149902e-3, 4.079605e-3, False),
    ("v3.0 Inspur NE5260M5_A40x2_TRT", "A40", 3.944080e-3, 3.885377e-3, False),
    ("v3.0 NVIDIA L4x1_TRT", "L4", 6.185093e-3, 6.104579e-3, False),
    ("v3.0 Dell XR7620_L4x1_TRT", "L4", 6.335591e-3, 6.259137e-3, False),
    ("v3.0 Supermicro SYS-221HE-FTNR-EDGE_1_H100-PCIe-80GB_TRT", "H100 PCIe 80GB", 2.073746e-3, 2.019091e-3,
     False),
    ("v3.1 NVIDIA L4x1_TRT", "L4", 4.806550e-3, 4.714985e-3, False),   # read_file: inference_results_v3.1 eaf622a
]


# Offline runs of the same systems ("Samples per second", divided by the system's GPUs) at the harness's offline
# gpu_batch_size (closed/NVIDIA/configs/retinanet/Offline/__init__.py: A100 SXM 32, A100 PCIe / H100 PCIe 16,
# L4 2, L40S 4 (v4.1); A30 / A40 rows take 16, the v3.0 A100 PCIe value). Not validation rows: the per-sample time
# at a full batch is the conv work without batch 1's losses, a check of the conv model apart from them.
OFFLINE = {  # source of RUNS -> (GPUs, batch, samples per second of the system)
    "v4.1 Lenovo Lenovo_2xL4_TRT": (2, 2, 453.667), "v4.1 Dell XR8620_L4x1_TRT": (1, 2, 222.619),
    "v4.1 Lenovo Lenovo_2xL40S_TRT": (2, 4, 1629.08), "v3.0 NVIDIA DGX-A100_A100-SXM-80GBx1_TRT": (1, 32, 728.898),
    "v3.0 NVIDIA A100-PCIe-80GBx1_TRT": (1, 16, 653.236), "v3.0 Dell XR4520c_A30x1_TRT": (1, 16, 340.126),
    "v3.0 H3C R5350G6_A30x1_TRT": (1, 16, 349.308), "v3.0 Inspur NE5260M5_A40x2_TRT": (2, 16, 624.729),
    "v3.0 NVIDIA L4x1_TRT": (1, 2, 179.492), "v3.0 Dell XR7620_L4x1_TRT": (1, 2, 173.985),
    "v3.0 Supermicro SYS-221HE-FTNR-EDGE_1_H100-PCIe-80GB_TRT": (1, 16, 961.62),
    "v3.1 NVIDIA L4x1_TRT": (1, 2, 225.923),
}


# Offline per-GPU rate of one chip on TensorRT 8.6 (v3.0) and on 9.x / 10.x (v3.1, v4.1): samples per second /
# GPUs of the runs in OFFLINE / OFFLINE_ONLY and the 8-GPU NVIDIA v3.0 H100 SXM / PCIe systems (12,164.1, 7,974.54).
OFFLINE_BY_VERSION = {  # hardware -> (TRT 8.6 rates, TRT >= 9 rates)
    "L4": ((179.492, 173.985), (225.923, 222.619, 453.667 / 2)),
    "H100 SXM5 80GB": ((1478.64, 12164.1 / 8), (14405.1 / 8,)),
    "H100 PCIe 80GB": ((958.97, 961.62, 7974.54 / 8), (2314.75 / 2, 2349.22 / 2, 4690.54 / 4)),
}


def software_ratio() -> float:
    """The median over chips of (TRT >= 9 rate / TRT 8.6 rate), each the median of its runs: how much faster the
    same chip's convs ran on the rows' TensorRT generation. Offline runs only, no SingleStream run, no row."""
    return statistics.median(statistics.median(new) / statistics.median(old)
                             for old, new in OFFLINE_BY_VERSION.values())


def version_check() -> None:
    """R3 / R4 / R5 on the TensorRT 8.6 SingleStream runs with their conv work slowed by software_ratio (the rows'
    generation is the faster one): what a framework-version term would do to the held-out runs."""
    k = software_ratio()
    print(f"\nTensorRT 8.6 -> 9.x / 10.x, offline per GPU on the same chip: "
          + ", ".join(f"{hw} x{statistics.median(new) / statistics.median(old):.3f}"
                      for hw, (old, new) in OFFLINE_BY_VERSION.items()) + f"; median x{k:.3f}")
    errs: dict[str, list[float]] = {"R3": [], "R4": [], "R5": []}
    every: dict[str, list[float]] = {"R3": [], "R4": [], "R5": []}
    for source, hw, p90, _, _ in RUNS:
        got = priced(hw)
        if not source.startswith("v3.0"):        # TensorRT >= 9: the rows' generation, no term
            for f in every:
                every[f].append(abs(100 * (got[f] / p90 - 1)))
            continue
        fixed = sum(fixed_s(hw).values())
        pct = {f: 100 * (((got[f] - fixed) * k + fixed) / p90 - 1) for f in errs}
        for f, v in pct.items():
            errs[f].append(abs(v))
            every[f].append(abs(v))
        print(f"  {source[:58]:58} {hw:15} " + " ".join(f"{f} {v:+6.1f}" for f, v in pct.items()))
    print("  median |error|, TRT 8.6 runs with the version term: "
          + ", ".join(f"{f} {statistics.median(v):.1f}" for f, v in errs.items()))
    print(f"  median |error|, all {len(every['R4'])} SingleStream runs (TRT >= 9 as they are): "
          + ", ".join(f"{f} {statistics.median(v):.1f}" for f, v in every.items()))


def convs(batch: int = 1, layers: list | None = None) -> pl.DataFrame:
    """The convs (RetinaNet's 111 unless ``layers``, a list of r-mlpmodels ``Conv``) as implicit GEMMs (M = batch x
    H_out x W_out) with their int8 bytes: weights once, the input (read at the output's side: the stride-2 convs'
    inputs are 4x that, a few MB, left out) and the output."""
    layers = rl.retinanet(800, 32, 4, 264)[0] if layers is None else layers
    return pl.DataFrame({
        "m": [float(batch * c.h_out * c.h_out) for c in layers],
        "n": [float(c.c_out) for c in layers],
        "k": [float(c.c_in // c.groups * c.k * c.k) for c in layers],
        "flop": [2.0 * batch * c.macs for c in layers],
        "bytes": [float(c.params + batch * (c.c_in * c.h_out * c.h_out + c.outputs)) for c in layers]})


def fit(hardware: str) -> dict[str, float]:
    """The int8 kernel fit's parameters for ``hardware``: the catalog's row where it is a fit, else the default
    form (r-accf4.registry: SMs, 128 x 128, default ceiling / best fraction), k_half by the ridge law."""
    ke = duckdb.sql("select units, tile_m, tile_n, ceiling, best_fraction, k_half from "
                    "'registry_data/kernel_efficiency.parquet' where precision = 'int8' and hardware = ?",
                    params=[hardware]).fetchall()
    hw = duckdb.sql("select peak_int8_flop_per_s, memory_bandwidth_bytes_per_s, host_link_bandwidth_bytes_per_s "
                    "from 'registry_data/hardware.parquet' where name = ?", params=[hardware]).fetchall()[0]
    a100 = duckdb.sql("select k.k_half * h.memory_bandwidth_bytes_per_s / h.peak_int8_flop_per_s from "
                      "'registry_data/kernel_efficiency.parquet' k join 'registry_data/hardware.parquet' h on "
                      "h.name = k.hardware where k.precision = 'int8' and k.hardware = 'A100 SXM4 80GB'"
                      ).fetchall()[0][0]
    out = {"peak": hw[0], "bw": hw[1], "host_bw": hw[2]}
    if ke and ke[0][0] is not None:
        out |= dict(zip(("units", "tile_m", "tile_n", "ceiling", "best", "k_half"), ke[0]))
    else:
        out |= {"units": float(ss.SM_OPS[hardware][0]), "tile_m": 128.0, "tile_n": 128.0,
                "ceiling": ss.DEFAULT_CEILING, "best": f4.DEFAULT_BEST, "k_half": a100 * hw[0] / hw[1]}
    # The cycle law for the tile's fixed time (r-accnode §3-4): the A100 fit's t_fix = k_half x 2 tile_m tile_n x
    # SMs / peak (5.84 us at 16-bit C) as a count of A100 cycles, at this part's clock, back into K steps.
    t_fix_cycles = A100_T_FIX_S * ss.CLOCK_HZ["A100 SXM4 80GB"]
    out["k_half_cycles"] = (t_fix_cycles / ss.CLOCK_HZ[hardware]) * hw[0] / (
        2 * out["tile_m"] * out["tile_n"] * out["units"])
    return out


A100_T_FIX_S = 1029.3660875298044 * 2 * 128 * 128 * 108 / 624e12   # r-accnode tile_fixed_time.py: 5.84 us


def eta_memory(hardware: str) -> float:
    """The node study's memory efficiency for this row: bytes / (bandwidth x memory time)."""
    t = api.evaluate("RetinaNet", hardware, batch=1, compute_dtype="int8").row(0, named=True)
    return t["bytes_moved"] / (t["memory_bandwidth_bytes_per_s"] * t["memory_time_s"])


def layer_times(hardware: str, k_half: float, batch: int = 1, layers: list | None = None) -> pl.DataFrame:
    """Each conv's time: max(compute at the GEMM model's eta, memory at the node study's eta_memory)."""
    p = fit(hardware)
    eta = gemm_capped_efficiency(col("m", None), col("n", None), col("k", None), col("units", None),
                                 col("tile_m", None), col("tile_n", None), col("ceiling", None),
                                 col("k_half", None), col("best", None)).expr
    consts = {c: pl.lit(float(p[c])) for c in ("units", "tile_m", "tile_n", "ceiling", "best")}
    frame = convs(batch, layers).with_columns(**consts, k_half=pl.lit(float(k_half)))
    tiles = gemm_tiles(gemm_rows(col("m", None)), col("n", None), col("tile_m", None), col("tile_n", None))
    split = gemm_split_k(tiles, col("k", None), col("units", None))
    waves = ((tiles * split) / col("units", None)).ceil().expr
    em = eta_memory(hardware)
    return frame.with_columns(eta=eta, waves=waves).with_columns(
        compute_s=pl.col("flop") / (p["peak"] * pl.col("eta")),
        memory_s=pl.col("bytes") / (p["bw"] * em)).with_columns(
        time_s=pl.max_horizontal("compute_s", "memory_s"))


def fixed_s(hardware: str) -> dict[str, float]:
    """What every form adds to the convs: the input copy (none from device), the NMS's read of the int8 class
    scores (9 anchors x 264 classes at every P3-P7 position) at the node study's memory efficiency, one launch."""
    p = fit(hardware)
    scores = 9 * 264 * sum(h * h for h in rl.pyramid_sides(rl.resnet_backbone(800, 1, 64)[1]))
    copy = 0.0 if hardware in FROM_DEVICE else INPUT_BYTES / p["host_bw"]
    return {"copy": copy, "nms": scores / (p["bw"] * eta_memory(hardware)), "launch": EAGER_S}


def priced(hardware: str) -> dict[str, float]:
    """F0 (catalog), R1, R1w, R2, R3 of RetinaNet batch 1 on ``hardware``, seconds."""
    t = api.evaluate("RetinaNet", hardware, batch=1, compute_dtype="int8").row(0, named=True)
    p = fit(hardware)
    fixed = sum(fixed_s(hardware).values())
    r1 = layer_times(hardware, p["k_half"] * TRT_OUTPUT_BYTES / FIT_OUTPUT_BYTES)["time_s"].sum()
    r1w = layer_times(hardware, p["k_half"])["time_s"].sum()
    zero = layer_times(hardware, f4.NO_K_HALF)
    alpha = ss.ALPHA_CYCLES / ss.CLOCK_HZ[hardware]
    r2 = (zero["time_s"] + alpha).sum()
    cyc = layer_times(hardware, p["k_half_cycles"] * TRT_OUTPUT_BYTES / FIT_OUTPUT_BYTES)
    r4 = cyc["time_s"].sum()
    zero_cyc = layer_times(hardware, f4.NO_K_HALF)   # same shapes: the fixed part is cyc - zero on compute-bound convs
    first_wave = ((cyc["time_s"] - zero_cyc["time_s"]) / cyc["waves"]).sum()
    return {"F0": t["latency_s"], "R1": r1 + fixed, "R1w": r1w + fixed, "R2": r2 + fixed,
            "R3": r1 + fixed + zero.height * alpha, "R4": r4 + fixed + zero.height * alpha,
            "R5": r4 - first_wave + fixed + zero.height * alpha}


def main(parquet: str) -> None:
    table = {(name, hw): measured for name, model, hw, _, _, _, measured, _ in ss.rows(parquet)
             if model == "RetinaNet"}
    print(f"validation rows: {len(table)} RetinaNet latency_s rows")
    forms = ("F0", "R1", "R1w", "R2", "R3", "R4", "R5")
    print(f"\n{'run':58} {'hardware':15} {'p90 ms':>7}   " + " ".join(f"{k:>6}" for k in forms)
          + "   (% error vs p90; R1 vs mean)")
    errs: dict[tuple[bool, str], list[float]] = {}
    for source, hw, p90, mean, row in RUNS:
        got = priced(hw)
        pct = {k: 100 * (v / p90 - 1) for k, v in got.items()}
        for k, v in pct.items():
            errs.setdefault((row, k), []).append(abs(v))
        print(f"{source[:58]:58} {hw:15} {p90 * 1e3:7.3f}   " + " ".join(f"{pct[k]:+6.1f}" for k in forms)
              + f"   {100 * (got['R1'] / mean - 1):+6.1f}" + ("  [row]" if row else ""))
    for row in (True, False):
        print(f"  median |error| {'validation rows' if row else 'held out'}: "
              + ", ".join(f"{k} {statistics.median(errs[(row, k)]):.1f}" for k in forms))
    offline()
    version_check()
    print("\nper part: R1's parts (ms) and the GEMM model's FLOP-weighted eta")
    for hw in dict.fromkeys(r[1] for r in RUNS):
        p = fit(hw)
        lt = layer_times(hw, p["k_half"] * TRT_OUTPUT_BYTES / FIT_OUTPUT_BYTES)
        fx = fixed_s(hw)
        print(f"  {hw:15} convs {lt['time_s'].sum() * 1e3:6.3f} (compute-bound {lt['compute_s'].sum() * 1e3:6.3f}, "
              f"memory-bound layers {lt.filter(pl.col('memory_s') > pl.col('compute_s')).height:3d}), eta "
              f"{lt['flop'].sum() / (p['peak'] * lt['compute_s'].sum()):.3f}, copy {fx['copy'] * 1e3:.3f}, nms "
              f"{fx['nms'] * 1e3:.3f}, k_half {p['k_half'] * TRT_OUTPUT_BYTES / FIT_OUTPUT_BYTES:6.0f}")


def per_sample(hardware: str, batch: int) -> dict[str, float]:
    """R1, R2, R4 and R5's conv time a sample at ``batch`` (+ the NMS read a sample; the copy overlaps in Offline;
    R4 without its per-kernel alpha, amortised over a full batch; R5 with it, once a kernel for the batch)."""
    p = fit(hardware)
    nms = fixed_s(hardware)["nms"]
    r1 = layer_times(hardware, p["k_half"] * TRT_OUTPUT_BYTES / FIT_OUTPUT_BYTES, batch)["time_s"].sum()
    zero = layer_times(hardware, f4.NO_K_HALF, batch)
    r2 = (zero["time_s"] + ss.ALPHA_CYCLES / ss.CLOCK_HZ[hardware]).sum()
    cyc = layer_times(hardware, p["k_half_cycles"] * TRT_OUTPUT_BYTES / FIT_OUTPUT_BYTES, batch)
    r4 = cyc["time_s"].sum()
    r5 = r4 - ((cyc["time_s"] - zero["time_s"]) / cyc["waves"]).sum() + cyc.height * ss.ALPHA_CYCLES / ss.CLOCK_HZ[
        hardware]
    return {"R1": r1 / batch + nms, "R2": r2 / batch + nms, "R4": r4 / batch + nms, "R5": r5 / batch + nms}


# Offline-only runs (no SingleStream run of the system): the same chips on TensorRT 8.6 (v3.0) and 9.x / 10.x
# (v4.1), per-GPU rate = samples per second / GPUs; batch from NVIDIA's Offline configs (v3.0 H100 SXM 16, v4.1
# H100 SXM / PCIe 48, L40S 4).
OFFLINE_ONLY = [  # (source, hardware, GPUs, batch, samples per second)
    ("v3.0 NVIDIA DGX-H100_H100-SXM-80GBx1_TRT", "H100 SXM5 80GB", 1, 16, 1478.64),
    ("v4.1 Supermicro SYS_821GE_TNHR_H100_SXM_80GBx8_TRT", "H100 SXM5 80GB", 8, 48, 14405.1),
    ("v4.1 Dell R760_H100_PCIe_80GBx2_TRT", "H100 PCIe 80GB", 2, 48, 2314.75),
    ("v4.1 Dell R760xa_L40Sx4_TRT", "L40S", 4, 4, 3345.71),
]


def offline() -> None:
    """Offline per-sample time (GPUs / samples per second) against R1 / R2 / R4 at the offline batch, and the
    SingleStream mean minus it: what batch 1 adds over the conv work at a full batch, in alphas (9,555 A100 cycles
    at the part's clock), before and after R1's own batch-1 wave / tile loss. If batch 1 adds a per-kernel floor,
    this is the engine's kernel count (111 convs + the NMS chain + pool / upsample, ~130)."""
    print("\nOffline per-sample time (not validation rows) and SingleStream mean - offline per sample")
    print(f"{'run':58} {'batch':>5} {'off ms':>7} {'R1':>7} {'R2':>7} {'R4':>7} {'R5':>7} {'SS mean - off ms':>17} "
          f"{'/ alpha':>8} {'(- R1 bs1 - bs B) / alpha':>26}")
    errs: dict[str, list[float]] = {"R1": [], "R2": [], "R4": [], "R5": []}
    runs = [(source, hw, *OFFLINE[source], mean) for source, hw, _, mean, _ in RUNS]
    runs += [(source, hw, gpus, batch, sps, None) for source, hw, gpus, batch, sps in OFFLINE_ONLY]
    for source, hw, gpus, batch, sps, mean in runs:
        off = gpus / sps
        got = per_sample(hw, batch)
        pct = {k: 100 * (v / off - 1) for k, v in got.items()}
        for k, v in pct.items():
            errs[k].append(abs(v))
        line = f"{source[:58]:58} {batch:5d} {off * 1e3:7.3f} " + " ".join(f"{pct[k]:+6.1f}%" for k in errs)
        if mean is not None:
            alpha = ss.ALPHA_CYCLES / ss.CLOCK_HZ[hw]
            shape_loss = per_sample(hw, 1)["R1"] - got["R1"]   # what R1 says batch 1 loses to wave / tile quantisation
            line += (f" {(mean - off) * 1e3:17.3f} {(mean - off) / alpha:8.0f} "
                     f"{(mean - off - shape_loss) / alpha:26.0f}")
        print(line)
    print("  median |error| offline: " + ", ".join(f"{k} {statistics.median(v):.1f}" for k, v in errs.items()))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit("usage: retinanet_layers_priced.py VALIDATION_PARQUET")
    main(sys.argv[1])
