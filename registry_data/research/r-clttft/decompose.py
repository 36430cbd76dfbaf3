"""Measured mean TTFT of r-infx's points against the model's closed-loop parts (parts.py's output).

Measured (points.csv of r-infx, the client's means): X = conc / e2e requests/s (the interactive response-time
law, zero think time); users in prefill L_p = X TTFT = conc TTFT / e2e (Little's law), in decode conc - L_p; the
prompts' arrival gap 1 / X. What the measured TTFT leaves for the prompt's own prefill once the running decode
iteration is waited for (one measured TPOT, the closed loop's full iteration): implied = TTFT - TPOT.
Model (parts.py, at the row's catalog eta): tau_p (prefill_time_one_request_s), rho (prefill_utilization), n
(prefill_chunk_iterations), its TTFT (closed_loop_ttft_mean_s) and the decode iteration d solved back from
closed_loop_ttft with busy = 1: d = (TTFT - tau_p) / (1 / (1 - rho) + n + n rho / (1 - rho)).

    .venv/bin/python registry_data/research/r-clttft/decompose.py PARTS.parquet
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
POINTS = HERE.parent / "r-infx" / "points.csv"
pl.Config.set_tbl_rows(100)
pl.Config.set_tbl_width_chars(250)
pl.Config.set_tbl_hide_dataframe_shape(True)
pl.Config.set_tbl_cols(-1)
pl.Config.set_tbl_hide_column_data_types(True)
pl.Config.set_tbl_formatting("ASCII_MARKDOWN")


def table(parts_path: str) -> pl.DataFrame:
    parts = pl.read_parquet(parts_path).filter(pl.col("metric") == "ttft_s").with_columns(
        config=pl.col("name").str.extract(r"^infx-dsr1-(.*)-isl"),
        isl=pl.col("name").str.extract(r"-isl(\d+)-").cast(pl.Int64),
        osl=pl.col("name").str.extract(r"-osl(\d+)-").cast(pl.Int64),
        conc=pl.col("name").str.extract(r"-c(\d+)-").cast(pl.Int64))
    itl = pl.read_parquet(parts_path).filter(pl.col("metric") == "itl_s").select(
        pl.col("name").str.replace("-itl", "-ttft"), tpot_pred_ms=pl.col("predicted") * 1e3)
    points = pl.read_csv(POINTS)
    rho, n = pl.col("prefill_utilization"), pl.col("prefill_chunk_iterations")
    t = parts.join(itl, on="name", how="left").join(points, on=["config", "isl", "osl", "conc"])
    return t.with_columns(
        ttft_ms=pl.col("mean_ttft") * 1e3, tpot_ms=pl.col("mean_tpot") * 1e3,
        rate=pl.col("conc") / pl.col("mean_e2el"),
        users_prefill=pl.col("conc") * pl.col("mean_ttft") / pl.col("mean_e2el"),
        implied_prefill_ms=(pl.col("mean_ttft") - pl.col("mean_tpot")) * 1e3,
        pred_ttft_ms=pl.col("predicted") * 1e3,
        prompt_tokens=pl.col("isl").replace_strict({1024: 922, 8192: 7373}),  # r-infx mean_length
        tau_p_ms=pl.col("prefill_time_one_request_s") * 1e3,
        d_ms=(pl.col("closed_loop_ttft_mean_s") - pl.col("prefill_time_one_request_s"))
        / (1.0 / (1.0 - rho) + n + n * rho / (1.0 - rho)) * 1e3,
    ).with_columns(
        wait_ms=pl.col("d_ms") / (1.0 - rho), own_chunks_ms=pl.col("d_ms") * n,
        others_ms=n * rho * pl.col("d_ms") / (1.0 - rho),
        gap_ms=pl.col("ttft_ms") - pl.col("pred_ttft_ms"),
        implied_over_tau=(pl.col("mean_ttft") - pl.col("mean_tpot")) * 1e3 / pl.col("tau_p_ms"),
        arrival_gap_ms=1e3 / pl.col("rate"))


def main(parts_path: str) -> None:
    t = table(parts_path)
    shown = t.select("config", pl.format("{}/{}", "isl", "osl").alias("io"), "conc",
                     pl.col("ttft_ms").round(0), pl.col("pred_ttft_ms").round(0), pl.col("error_pct").round(1),
                     pl.col("tpot_ms").round(1), pl.col("tpot_pred_ms").round(1), pl.col("d_ms").round(1),
                     pl.col("tau_p_ms").round(1), pl.col("wait_ms").round(1), pl.col("own_chunks_ms").round(1),
                     pl.col("others_ms").round(1), rho=rho_col(), n=pl.col("prefill_chunk_iterations"),
                     users_prefill=pl.col("users_prefill").round(2), arrival_gap_ms=pl.col("arrival_gap_ms").round(0),
                     implied_prefill_ms=pl.col("implied_prefill_ms").round(0),
                     implied_over_tau=pl.col("implied_over_tau").round(2)).sort("config", "io", "conc")
    print(shown)
    print("\nby configuration x concurrency, medians over the three isl / osl (ms)")
    print(t.group_by("config", "conc").agg(*(pl.col(c).median().round(r) for c, r in (
        ("ttft_ms", 0), ("pred_ttft_ms", 0), ("error_pct", 1), ("wait_ms", 1), ("tau_p_ms", 1),
        ("own_chunks_ms", 1), ("others_ms", 1), ("tpot_ms", 1), ("users_prefill", 2), ("implied_prefill_ms", 0),
        ("implied_over_tau", 2)))).sort("config", "conc"))
    print("\nmedian by configuration (implied prefill = measured TTFT - measured TPOT)")
    print(t.group_by("config").agg(
        rows=pl.len(), signed=pl.col("error_pct").median().round(1),
        tau_p_ms=pl.col("tau_p_ms").filter(pl.col("isl") == 1024).median().round(1),
        implied_c4_1k=pl.col("implied_prefill_ms").filter((pl.col("isl") == 1024) & (pl.col("conc") == 4))
        .median().round(0),
        implied_over_tau_c4=pl.col("implied_over_tau").filter(pl.col("conc") == 4).median().round(2),
        implied_over_tau_c64=pl.col("implied_over_tau").filter(pl.col("conc") == 64).median().round(2),
        users_prefill_c64=pl.col("users_prefill").filter(pl.col("conc") == 64).median().round(2)).sort("config"))
    fixed = fixed_cost(t)
    print("\nthe prompt's prefill at conc 4-8, a line in the prompt (ms; us per token)")
    print(fixed)
    w = whatif(t, fixed)
    print("\nwhat-if: the model's tau_p + the measured fixed cost, prefills one batch at a time (signed error %)")
    print(w.group_by("config").agg(*(pl.col("whatif_err_pct").filter(pl.col("conc") == c).median().round(1)
                                     .alias(f"c{c}") for c in (4, 8, 16, 32, 64)),
                                   model=pl.col("error_pct").median().round(1),
                                   whatif=pl.col("whatif_err_pct").median().round(1),
                                   whatif_abs=pl.col("whatif_err_pct").abs().median().round(1)).sort("config"))
    print("\nmedian by concurrency")
    print(whatif(t, fixed).group_by("conc").agg(signed=pl.col("error_pct").median().round(1),
                                 whatif=pl.col("whatif_err_pct").median().round(1),
                                 implied_over_tau=pl.col("implied_over_tau").median().round(2),
                                 gap_ms=pl.col("gap_ms").median().round(0)).sort("conc"))


def rho_col() -> pl.Expr:
    return pl.col("prefill_utilization").round(3)



def fixed_cost(t: pl.DataFrame) -> pl.DataFrame:
    """Per configuration, the measured implied prefill at conc 4-8 as a line in the prompt, a + b P (1k and 8k
    prompts, medians), against the model's tau_p the same way: the intercept a is what does not scale with the
    prompt."""
    g = t.filter(pl.col("conc") <= 8).group_by("config", "isl").agg(
        tau=pl.col("tau_p_ms").median(), implied=pl.col("implied_prefill_ms").median(),
        prompt=pl.col("prompt_tokens").median())
    w = g.pivot(on="isl", index="config", values=["tau", "implied", "prompt"])
    span = pl.col("prompt_8192") - pl.col("prompt_1024")
    return w.with_columns(
        model_us_per_token=(pl.col("tau_8192") - pl.col("tau_1024")) / span * 1e3,
        measured_us_per_token=(pl.col("implied_8192") - pl.col("implied_1024")) / span * 1e3,
    ).with_columns(
        model_fixed_ms=pl.col("tau_1024") - pl.col("prompt_1024") * pl.col("model_us_per_token") / 1e3,
        measured_fixed_ms=pl.col("implied_1024") - pl.col("prompt_1024") * pl.col("measured_us_per_token") / 1e3,
    ).select("config", *(pl.col(c).round(1) for c in ("tau_1024", "implied_1024", "tau_8192", "implied_8192",
                                                      "model_us_per_token", "measured_us_per_token",
                                                      "model_fixed_ms", "measured_fixed_ms"))).sort("config")


def whatif(t: pl.DataFrame, fixed: pl.DataFrame) -> pl.DataFrame:
    """A diagnostic, not a model: the prompt's prefill as the model's tau_p + the measured fixed cost F, prefills
    run one batch at a time beside the decodes (SGLang's default, no mixed chunk), a prompt meeting another's
    prefill with probability rho' = X (c - 1) / c (tau_p + F) (X measured) and waiting its residual (M/D/1,
    Pollaczek-Khinchine: rho' tau' / (2 (1 - rho'))); TTFT' = TPOT + tau' + that wait."""
    tau = pl.col("tau_p_ms") + pl.col("measured_fixed_ms")
    rho = pl.col("rate") * (pl.col("conc") - 1) / pl.col("conc") * tau / 1e3
    return t.join(fixed.select("config", "measured_fixed_ms"), on="config").with_columns(
        rho_prime=rho, whatif_ttft_ms=pl.col("tpot_ms") + tau + rho * tau / (2 * (1 - rho))
    ).with_columns(whatif_err_pct=(pl.col("whatif_ttft_ms") / pl.col("ttft_ms") - 1) * 100)

if __name__ == "__main__":
    main(sys.argv[1])
