"""Form F4 for the node study's batch-1 latency rows (metric latency_s), priced by hand beside F0 and F3.

Diagnosis only: nothing here feeds a catalog or the package. Run from the repository root after a validation run:

    .venv/bin/mlsys validate --out /tmp/accf4-val0
    .venv/bin/python registry_data/research/r-accf4/f4_single_stream.py /tmp/accf4-val0/validation/*/validation.parquet

F0 and F3 as in registry_data/research/r-accnode/single_stream.py (imported from there). F4, the form r-accnode §3
left open: under a CUDA graph (ResNet-50 and BERT SingleStream, the harness's ``use_graphs``)

    N x alpha + max(compute_4, memory) + one replay (2.5 us + 1 ns a node)

with alpha = the A100 microbenchmark's 9,555 SM cycles at the part's clock (datasheet int8 peak / (SMs x int8 ops
per clock per SM)) and compute_4 the kernel fit's time of every matmul WITH its wave, tile and split-K losses but
WITHOUT the K loop's per-tile fixed part (k_half = 0: alpha carries that fixed cost, r-accnode §4), so it is counted
once. The kernel fit is evaluated by the package itself on a copy of the registry whose int8 kernel_efficiency rows
have k_half = 0 (``registry``). Parts without an int8 kernel fit (L4, A30, A40, T4) get the fit's default form:
their SM count, 128 x 128 tiles, the default ceiling 0.9088 and best fraction 0.7452 (the values the unfitted-by-
source NVIDIA rows H100 PCIe / L40S carry), k_half = 0 ("F4"); "F4p" keeps their profile-eta compute instead (the
fixed cost then counted twice on those parts). CNNs have no GEMM shapes in the model: their compute_4 is F3's,
step FLOP / (peak x the fit's ceiling). Rows without a graph (RetinaNet, the offline batch-64 row) keep F0.
"F4h": F4 where the case's source is the harness (every MLPerf row and run), F0 on the seed rows (no stack named):
the form as it would be wired, the rows re-attributed to a TensorRT-harness profile only where their source is it.
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import duckdb
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "r-accnode"))
import single_stream as ss  # noqa: E402  (r-accnode's hand script: F0, F3, the clocks and the MLPerf figures)

from pipeline import api  # noqa: E402
from pipeline.catalogs.io import read_catalog, write_catalog  # noqa: E402

DEFAULT_BEST = 0.7451777777777778      # best_fraction of the NVIDIA int8 rows the fit did not measure (L40S, H100 PCIe)
NO_K_HALF = 1e-9                       # the catalog checks k_half > 0: K / (K + 1e-9) is 1 to 1e-12
BERT_OPT_SEQLEN = 270                  # the harness's engine optimisation profile (Lenovo v4.1 BERT SingleStream)


# Mean latency of the BERT SingleStream runs (mlperf_log_summary.txt "Mean latency (ns)", the same runs and mirrors
# as r-accnode's MIN_LATENCY_S / HELD_OUT_P90_S; A100 PCIe: v3.0 closed/NVIDIA/results/A100-PCIe-80GBx1_TRT). The
# query's time is near-linear in its length at these shapes, so the mean latency is the latency at the mean length,
# the 177 tokens the catalog prices (the p90 is a longer query). Not validation rows; nothing is fitted to them.
MEAN_LATENCY_S = {"A100 SXM4 80GB": 1.483377e-3, "A100 PCIe 80GB": 1.486450e-3, "A30": 1.980889e-3,
                  "A40": 1.967683e-3, "L4": 2.390208e-3, "L40S": 1.040081e-3, "H100 PCIe 80GB": 1.282639e-3,
                  "T4": 4.812456e-3}


def registry() -> Path:
    """A copy of registry_data with the int8 kernel fit's k_half = 0, and the unfitted parts of the held-out and
    validation runs given the fit's default form (their SMs, 128 x 128 tiles, default ceiling / best fraction)."""
    out = Path(tempfile.mkdtemp(prefix="accf4-reg-"))
    for f in Path("registry_data").iterdir():
        if f.is_file():
            shutil.copy(f, out / f.name)
    ke = read_catalog("kernel_efficiency")
    sms = {hw: float(n) for hw, (n, _) in ss.SM_OPS.items()}
    int8 = pl.col("precision") == "int8"
    unfitted = int8 & pl.col("hardware").is_in(list(sms)) & (pl.col("efficiency_basis") != "kernel fit")
    ke = ke.with_columns(
        efficiency_basis=pl.when(unfitted).then(pl.lit("kernel fit")).otherwise("efficiency_basis"),
        units=pl.when(unfitted).then(pl.col("hardware").replace_strict(sms, default=None)).otherwise("units"),
        tile_m=pl.when(unfitted).then(128.0).otherwise("tile_m"),
        tile_n=pl.when(unfitted).then(128.0).otherwise("tile_n"),
        ceiling=pl.when(unfitted).then(ss.DEFAULT_CEILING).otherwise("ceiling"),
        best_fraction=pl.when(unfitted).then(DEFAULT_BEST).otherwise("best_fraction"),
        k_half=pl.when(int8 & (pl.col("k_half").is_not_null() | unfitted)).then(NO_K_HALF)
        .otherwise("k_half"))
    write_catalog(ke, "kernel_efficiency", out)
    return out


def tokens(model: str, dataset: str | None, seq_len: int | None) -> int | None:
    """The row's tokens as the validation prices them: SQuAD's mean 177 for a SQuAD BERT row, else its seq_len."""
    return ss.SQUAD_TOKENS if model == "BERT-Large" and dataset == "SQuAD v1.1" else seq_len


def evaluate(model: str, hardware: str, batch: int, n_tokens: int | None, reg: Path | None) -> dict:
    return api.evaluate(model, hardware, batch=batch, compute_dtype="int8", seq_len=n_tokens or 2048,
                        registry=reg).row(0, named=True)


def priced(model: str, hardware: str, batch: int, n_tokens: int | None, reg: Path) -> dict[str, float]:
    """F0, F3 (r-accnode), F4 and F4p (this file) of one configuration, seconds."""
    t = evaluate(model, hardware, batch, n_tokens, None)
    got = ss.forms(t, model, hardware, 0.0)
    out = {"F0": got["F0"], "F3": got["F3"], "F4": got["F0"], "F4p": got["F0"]}
    if not (ss.GRAPHS[model] and batch == 1):
        return out
    n = ss.TRT_KERNELS.get(model, t["kernel_launches"])
    alpha = ss.ALPHA_CYCLES / ss.CLOCK_HZ[hardware]
    fixed = n * alpha + ss.REPLAY_S + n * ss.REPLAY_PER_NODE_S
    if t["model_type"] != "cnn":
        t4 = evaluate(model, hardware, batch, n_tokens, reg)
        compute4 = t4["compute_time_s"]
        fitted = duckdb.sql(
            "select k_half is not null from 'registry_data/kernel_efficiency.parquet' where hardware = ? and "
            "precision = 'int8'", params=[hardware]).fetchall()[0][0]
        compute4p = compute4 if fitted else t["compute_time_s"]
    else:
        compute4 = compute4p = t["step_flop"] / (t["peak_flop_per_s"] * ss.fit(hardware)[1])
    out["F4"] = fixed + max(compute4, t["memory_time_s"])
    out["F4p"] = fixed + max(compute4p, t["memory_time_s"])
    return out


def harness(name: str) -> bool:
    """The case's source is NVIDIA's MLPerf TensorRT harness (an MLPerf row or run); the seed rows name no stack."""
    return not name.startswith("seed-")


def report(title: str, cases: list[tuple[str, str, str, int, int | None, float]], reg: Path, opt: bool) -> None:
    print(f"\n{title}{' (BERT at bert_opt_seqlen 270)' if opt else ''}")
    print(f"{'case':66} {'meas ms':>8}   " + " ".join(f"{k:>7}" for k in ("F0", "F3", "F4", "F4p", "F4h"))
          + "  (% error)")
    errs: dict[str, list[float]] = {}
    for name, model, hardware, batch, n_tokens, measured in cases:
        at_opt = opt and model == "BERT-Large" and n_tokens == ss.SQUAD_TOKENS   # SQuAD runs only
        got = priced(model, hardware, batch, BERT_OPT_SEQLEN if at_opt else n_tokens, reg)
        got["F4h"] = got["F4"] if harness(name) else got["F0"]
        pct = {k: 100 * (v / measured - 1) for k, v in got.items()}
        for k, v in pct.items():
            errs.setdefault(k, []).append(abs(v))
        print(f"{name[:66]:66} {measured * 1e3:8.3f}   " + " ".join(f"{pct[k]:+7.1f}" for k in pct))
    print("  median |error|: " + ", ".join(f"{k} {statistics.median(v):.1f} %" for k, v in errs.items())
          + f" ({len(next(iter(errs.values())))} cases)")


# p90 of the same BERT runs (r-accnode's HELD_OUT_P90_S, and the A100 SXM / L4 v3.0 / L40S runs of MIN_LATENCY_S)
P90_S = {"A100 SXM4 80GB": 1.602692e-3, "L4": 2.528070e-3, "L40S": 1.118438e-3} | {
    hw: v for (m, hw), v in ss.HELD_OUT_P90_S.items() if m == "BERT-Large"}


def implied_p90_length(reg: Path) -> None:
    """The query length at which F4 reaches each run's p90, given that it matches the run's mean at 177 tokens:
    177 + (p90 - mean) / F4's slope (its 177 -> 270 token difference). One length for all parts would say the
    p90 query is one SQuAD length, a property of the data set, not of the part."""
    print("\nBERT: the p90 query's length implied by F4's per-token slope and the run's p90 - mean")
    for hw, mean in MEAN_LATENCY_S.items():
        lo, hi = (priced("BERT-Large", hw, 1, n, reg)["F4"] for n in (ss.SQUAD_TOKENS, BERT_OPT_SEQLEN))
        slope = (hi - lo) / (BERT_OPT_SEQLEN - ss.SQUAD_TOKENS)
        print(f"  {hw:15} slope {slope * 1e9:6.1f} ns/token, p90 - mean {(P90_S[hw] - mean) * 1e6:6.1f} us: "
              f"{ss.SQUAD_TOKENS + (P90_S[hw] - mean) / slope:5.0f} tokens")


def main(parquet: str) -> None:
    reg = registry()
    rows = [(name, model, hw, batch, tokens(model, dataset, seq_len), measured)
            for name, model, hw, batch, seq_len, dataset, measured, _ in ss.rows(parquet)]
    held = [(f"held-out {m} {hw} SS p90", m, hw, 1, tokens(m, "SQuAD v1.1", None), v)
            for (m, hw), v in ss.HELD_OUT_P90_S.items()]
    for opt in (False, True):
        report("validation rows (latency_s)", rows, reg, opt)
        report("held-out SingleStream p90s", held, reg, opt)
    implied_p90_length(reg)
    means = [(f"BERT {hw} SS mean", "BERT-Large", hw, 1, ss.SQUAD_TOKENS, v) for hw, v in MEAN_LATENCY_S.items()]
    report("BERT SingleStream mean latency at the mean 177 tokens", means, reg, False)
    shutil.rmtree(reg)


if __name__ == "__main__":
    main(sys.argv[1])
