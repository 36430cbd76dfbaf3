"""The model's TTFT split into wall 7's terms for chosen ttft_s rows, beside the measured TTFT and TPOT, and the
whole metric's error with the model's decode iteration replaced by the measured TPOT (parts.py's output).

    .venv/bin/python registry_data/research/r-ttftmap/decompose.py PARTS.parquet

Open loop (a request rate; tail_latency._ttft_quantile at q = 0.5): with idle / decode-only / carrying the shares of
arrivals that find the replica idle, in a decode-only iteration or in one carrying prefill,
- idle share >= 0.5: TTFT = tau_p;
- idle + decode-only >= 0.5: tau_p + d (1 + u) + block, u = (0.5 - idle) / decode-only (the wait for the iteration
  under way, d u, then the decode pass beside the prompt's prefill, d);
- else d + tau_p + Y_50 + block, Y_50 (the residual of a carrying iteration and the others' prompts) = the rest.
Closed loop (walls/closed_loop.py closed_loop_ttft, busy 1): wait d / (1 - rho), own chunks' decode n d, tau_p,
others' prompts n rho d / (1 - rho); the sum is checked against closed_loop_ttft_mean_s.

"decode-scaled": every term but tau_p scaled by TPOT measured / TPOT predicted (the row's own itl_s row): what the
TTFT error would be if the model's decode iteration were the run's. No value is fitted."""

from __future__ import annotations

import sys

import polars as pl

ROWS = {  # group -> representative rows (names)
    "A InferenceX DeepSeek-R1 closed loop": [
        "infx-dsr1-h200-trt-fp8-tp8-isl1024-osl1024-c4-ttft",
        "infx-dsr1-b200-sglang-fp8-tp8-isl1024-osl8192-c64-ttft",
        "infx-dsr1-mi300x-sglang-fp8-tp8-isl8192-osl1024-c8-ttft"],
    "B MLPerf DeepSeek-R1 Server / Interactive": [
        "mlperf-inf-v6.0-nvidia-b300-sxm-270gbx8-trt-deepseek-r1-server-ttft-p50",
        "mlperf-inf-v5.1-nvidia-b200-sxm-180gbx8-trt-deepseek-r1-server-ttft-p50",
        "mlperf-inf-v6.0-gigacomputing-g894-sd3-aax7-b300-sxm-270gbx8-trt-deepseek-r1-interactive-ttft-p50"],
    "C MLPerf Llama 2 70B Server / Interactive": [
        "mlperf-inf-v4.1-nvidia-dgx-h100-h100-sxm-80gbx8-trt-llama2-70b-99-server-ttft-p50",
        "mlperf-inf-v6.0-mitac-8xmi350x-2xepyc-9755-llama2-70b-99-interactive-ttft-p50",
        "mlperf-inf-v6.0-gigacomputing-g894-sd3-aax7-b300-sxm-270gbx8-trt-llama2-70b-99-interactive-ttft-p50"],
}


def paired(parts: pl.DataFrame) -> pl.DataFrame:
    """Each ttft_s row with its run's itl_s row (same name stem): measured / predicted TPOT."""
    picked = pl.min_horizontal(*[(pl.col("predicted") - pl.col(c)).abs() for c in
                                 ("ttft_p50_s", "ttft_mean_s", "closed_loop_ttft_mean_s")]) < 1e-9
    parts = pl.concat([parts.filter(pl.col("metric") != "ttft_s"),  # the configuration the prediction is of
                       parts.filter(pl.col("metric") == "ttft_s", picked)]).unique(["name", "metric"])
    stem = pl.col("name").str.replace(r"-(ttft|tpot|itl)(-(p50|mean))?$", "")
    ttft = parts.filter(pl.col("metric") == "ttft_s").with_columns(stem=stem)
    itl = parts.filter(pl.col("metric") == "itl_s").select(
        stem.alias("stem"), tpot_measured="measured", tpot_predicted="predicted").unique("stem")
    return ttft.join(itl, on="stem", how="left")


def terms(rows: pl.DataFrame) -> pl.DataFrame:
    """The TTFT terms (ms) of open- and closed-loop rows, and the decode-scaled TTFT's error."""
    tau, d = pl.col("prefill_time_one_request_s"), pl.col("load_round_s")
    idle, only = pl.col("load_idle_share"), pl.col("load_decode_only_share")
    block, rho, n = pl.col("scheduler_block_wait_s").fill_null(0.0), pl.col("prefill_utilization"), \
        pl.col("prefill_chunk_iterations").fill_null(1.0)
    closed = pl.col("closed_loop_ttft_mean_s").is_not_null()
    in_decode_only = ~closed & (idle < 0.5) & (idle + only >= 0.5)
    in_carrying = ~closed & (idle + only < 0.5)
    wait = (pl.when(closed).then(d / (1 - rho)).when(in_decode_only).then(d * (0.5 - idle) / only)
            .when(in_carrying).then(0.0).otherwise(0.0))
    beside = pl.when(closed).then(n * d).when(in_decode_only | in_carrying).then(d).otherwise(0.0)
    others = (pl.when(closed).then(n * rho * d / (1 - rho))
              .when(in_carrying).then(pl.col("predicted") - d - tau - block).otherwise(0.0))
    ratio = pl.col("tpot_measured") / pl.col("tpot_predicted")
    return rows.with_columns(
        case=pl.when(closed).then(pl.lit("closed")).when(idle >= 0.5).then(pl.lit("idle"))
        .when(in_decode_only).then(pl.lit("decode-only")).otherwise(pl.lit("carrying")),
        ttft_ms=pl.col("measured") * 1e3, pred_ms=pl.col("predicted") * 1e3, err=pl.col("error_pct").round(1),
        tpot_ms=pl.col("tpot_measured") * 1e3, tpot_pred_ms=pl.col("tpot_predicted") * 1e3,
        tau_p_ms=tau * 1e3, wait_ms=wait * 1e3, decode_beside_ms=beside * 1e3, others_y_ms=others * 1e3,
        block_ms=pl.when(closed).then(0.0).otherwise(block) * 1e3, rho=rho,
        scaled_err=((tau + (pl.col("predicted") - tau) * ratio) / pl.col("measured") * 100 - 100).round(1),
        meas_ttft_over_tpot=(pl.col("measured") / pl.col("tpot_measured")),
        pred_ttft_over_tpot=(pl.col("predicted") / pl.col("tpot_predicted")))


SHOW = ["name", "case", "ttft_ms", "pred_ms", "err", "tpot_ms", "tpot_pred_ms", "tau_p_ms", "wait_ms",
        "decode_beside_ms", "others_y_ms", "block_ms", "rho", "batch_in_flight", "scaled_err",
        "meas_ttft_over_tpot", "pred_ttft_over_tpot"]


def main(path: str) -> None:
    pl.Config.set_tbl_rows(100)
    pl.Config.set_tbl_width_chars(400)
    pl.Config.set_tbl_cols(-1)
    pl.Config.set_fmt_str_lengths(100)
    pl.Config.set_tbl_formatting("MARKDOWN")
    pl.Config.set_tbl_hide_column_data_types(True)
    pl.Config.set_tbl_hide_dataframe_shape(True)
    rows = terms(paired(pl.read_parquet(path)))
    for group, names in ROWS.items():
        print(f"### {group}\n")
        print(rows.filter(pl.col("name").is_in(names)).select(SHOW).with_columns(pl.col(pl.Float64).round(3)))
        print()
    print("### decode-scaled: the TTFT error with the model's decode iteration replaced by the measured TPOT\n")
    print(rows.filter(pl.col("scaled_err").is_not_null()).group_by(
        family=pl.col("name").str.extract(r"^(infx|mlperf-inf-v\d\.\d|nim|trtllm-[0-9.]+)")).agg(
        rows=pl.len(), median_err=pl.col("err").median(), median_abs=pl.col("err").abs().median(),
        scaled_median_err=pl.col("scaled_err").median(), scaled_median_abs=pl.col("scaled_err").abs().median())
        .sort("rows", descending=True))


if __name__ == "__main__":
    main(sys.argv[1])
