"""How accurate the predictions are: errors per row, the cross-validated summary per metric,
and the binding term against what pairs of measurements imply."""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.schemas import METRICS
from pipeline.validation.predict import THROUGHPUT

UTILIZATION = ("mfu", "hfu")  # errors in points of peak, not % of the value
KERNEL = tuple(m for m, (study, _) in METRICS.items() if study == "kernel")  # one kernel call: not a system's latency
# not a system's latency or throughput either: a ratio (speculative decoding's speedup), reported on its own
APART = (*KERNEL, "spec_speedup")
OOM = tuple(m for m in METRICS if m.startswith("oom_"))  # published out of memory: a feasibility check, no error
TARGET_PCT, TARGET_POINTS = 20.0, 10.0  # issue 6: CV median <= 20 % (latency, throughput), <= 10 points (MFU)
ELASTICITY_BOUND = 0.1
MIN_BATCH_RATIO = 2.0  # bound_agreement's pairs: batches at least this far apart
SAME_CONFIG = ["metric", "model", "hardware", "framework", "compute_dtype", "devices", "tp", "pp", "prompt_len",
               "output_len", "seq_len"]


def errors(measured: pl.DataFrame, predicted: pl.DataFrame) -> pl.DataFrame:
    """Measured beside predicted: signed and absolute error % against the value (a range's
    midpoint) and against the range (0 inside it)."""
    frame = measured.join(predicted, on="name", how="left")
    mid = pl.col("measured")
    lo = pl.coalesce("measured_low", "measured")
    hi = pl.coalesce("measured_high", "measured")
    p = pl.col("predicted")
    return frame.with_columns(
        error_pct=(p / mid - 1.0) * 100.0,
        abs_error_pct=((p / mid - 1.0) * 100.0).abs(),
        range_error_pct=pl.when(p < lo).then((p / lo - 1.0) * 100.0).when(p > hi).then((p / hi - 1.0) * 100.0)
        .otherwise(0.0),
        log_error=(p / mid).log(),
        metric_unit=pl.col("metric").replace_strict({m: u for m, (_, u) in METRICS.items()}),
    )



WITHIN_PCT = 30.0  # issue 12: the share of latency/throughput rows within +-30 % of the measurement


def abs_error(column: str) -> pl.Expr:
    """|predicted / measured - 1| in %, or |predicted - measured| in points of peak for MFU/HFU."""
    pct = (pl.col(column) / pl.col("measured") - 1).abs() * 100
    points = (pl.col(column) - pl.col("measured")).abs() * 100
    return pl.when(pl.col("metric").is_in(UTILIZATION)).then(points).otherwise(pct)


def catalog_eta_summary(table: pl.DataFrame) -> pl.DataFrame:
    """The headline, at the catalog's η (what a sweep uses, nothing calibrated): per metric and for
    all latency/throughput rows, the rows measured and predicted, the median absolute error and
    the share within +-30 % (latency and throughput only)."""
    util = pl.col("metric").is_in(UTILIZATION)
    rows = table.filter(~pl.col("metric").is_in(OOM)).with_columns(error=abs_error("predicted"))
    aggs = [pl.len().alias("rows"), pl.col("predicted").is_not_null().sum().alias("predicted"),
            pl.col("error").median().alias("median_abs_error"),
            (pl.col("error") <= WITHIN_PCT).mean().alias("share_within_30pct")]
    per_metric = rows.group_by("metric").agg(aggs).sort("metric")
    overall = rows.filter(~util & ~pl.col("metric").is_in(APART)).select(
        pl.lit("all latency and throughput").alias("metric"), *aggs)
    out = pl.concat([per_metric, overall.with_columns(pl.col(c).cast(per_metric[c].dtype)
                                                      for c in ("rows", "predicted"))])
    return out.with_columns(pl.when(pl.col("metric").is_in(UTILIZATION)).then(None)
                            .otherwise(pl.col("share_within_30pct")).alias("share_within_30pct"))


def not_predicted(table: pl.DataFrame) -> pl.DataFrame:
    """Rows without a prediction, counted by their reason (most rows first, ties by reason: the same order every
    run)."""
    return (table.filter(pl.col("predicted").is_null())
            .group_by(pl.col("reason").fill_null("no reason recorded")).agg(pl.len().alias("rows"),
                                                                            pl.col("name").sort().alias("names"))
            .sort("rows", "reason", descending=[True, False]))


def cv_summary(table: pl.DataFrame) -> pl.DataFrame:
    """Per metric and for all latency/throughput rows: median absolute error with the profile's η,
    after calibration in sample, and leave-one-source-out; MFU/HFU in points of peak."""
    rows = table.filter(pl.col("cv_predicted").is_not_null())
    util = pl.col("metric").is_in(UTILIZATION)
    rows = rows.with_columns(before=abs_error("predicted"), in_sample=abs_error("fit_predicted"),
                             cv=abs_error("cv_predicted"))
    aggs = [pl.len().alias("rows"), pl.col("before").median(), pl.col("in_sample").median(), pl.col("cv").median()]
    per_metric = rows.group_by("metric").agg(aggs).sort("metric")
    overall = rows.filter(~util & ~pl.col("metric").is_in(APART)).select(
        pl.lit("all latency and throughput").alias("metric"), *aggs)
    out = pl.concat([per_metric, overall.with_columns(pl.col("rows").cast(per_metric["rows"].dtype))])
    return out.with_columns(
        target=pl.when(pl.col("metric").is_in(UTILIZATION)).then(pl.lit(f"<= {TARGET_POINTS:g} points"))
        .otherwise(pl.lit(f"<= {TARGET_PCT:g} %")),
        met=pl.when(pl.col("metric").is_in(UTILIZATION)).then(pl.col("cv") <= TARGET_POINTS)
        .otherwise(pl.col("cv") <= TARGET_PCT))


def bound_agreement(table: pl.DataFrame) -> pl.DataFrame:
    """Whether batching pays, predicted against measured: between two measurements of one configuration at batches
    b1 < b2 (or a batch-1 latency and an offline throughput), the throughput's elasticity d log T / d log b. A step
    whose time grows with its batch (compute, or the activations' and K/V bytes) gains nothing from batching
    (elasticity near 0); one bound by what a batch shares (the weights' bytes, the per-kernel fixed costs, launches)
    gains: the binding term shows in the elasticity, and the measurements show nothing else. The response is "gains"
    at elasticity >= ELASTICITY_BOUND, else "flat"; we agree when our predictions at the two rows give the same.
    Only batches at least MIN_BATCH_RATIO apart: two runs of one configuration differ by a few % (submitters, software
    rounds), which over b2 / b1 = 1.02 reads as an elasticity of +-2."""
    rows = table.filter(pl.col("metric").is_in(list(THROUGHPUT - {"mfu", "hfu"})) & pl.col("batch").is_not_null()
                        & pl.col("predicted").is_not_null())
    pairs = rows.join(rows, on=SAME_CONFIG, suffix="_2", nulls_equal=True).filter(
        pl.col("batch") * MIN_BATCH_RATIO <= pl.col("batch_2"))

    def elasticity(rate: pl.Expr, rate_2: pl.Expr) -> pl.Expr:
        """d log T / d log b from ``batch`` to ``batch_2``."""
        return (rate_2 / rate).log() / (pl.col("batch_2") / pl.col("batch")).log()

    pairs = pairs.with_columns(elasticity=elasticity(pl.col("measured"), pl.col("measured_2")),
                               predicted_elasticity=elasticity(pl.col("predicted"), pl.col("predicted_2")))
    # Node rows: a single-stream latency at batch 1 (throughput 1 / latency) against an offline throughput per device
    # of the same model, accelerator and precision (at the batch our prediction picked: MLPerf does not publish it).
    node = table.filter(pl.col("predicted").is_not_null() & pl.col("batch_used").is_not_null())
    single = node.filter((pl.col("metric") == "latency_s") & (pl.col("batch_used") == 1)).select(
        "name", "model", "hardware", "compute_dtype", "measured", "predicted", "bound", batch=pl.lit(1.0))
    offline = node.filter(pl.col("metric") == "samples_per_s").select(
        pl.col("name").alias("name_2"), "model", "hardware", "compute_dtype",
        (pl.col("measured") / pl.col("devices")).alias("per_device"),
        (pl.col("predicted") / pl.col("devices")).alias("predicted_per_device"), pl.col("batch_used").alias("batch_2"))
    node_pairs = single.join(offline, on=["model", "hardware", "compute_dtype"]).filter(
        pl.col("batch_2") >= MIN_BATCH_RATIO)
    node_pairs = node_pairs.with_columns(
        elasticity=elasticity(1.0 / pl.col("measured"), pl.col("per_device")),
        predicted_elasticity=elasticity(1.0 / pl.col("predicted"), pl.col("predicted_per_device")))

    def response(elasticity: str) -> pl.Expr:
        return pl.when(pl.col(elasticity) >= ELASTICITY_BOUND).then(pl.lit("gains")).otherwise(pl.lit("flat"))

    columns = ["name", "name_2", pl.col("batch").cast(pl.Float64), pl.col("batch_2").cast(pl.Float64), "elasticity",
               response("elasticity").alias("measured_response"), "predicted_elasticity",
               response("predicted_elasticity").alias("predicted_response"), pl.col("bound").alias("our_bound"),
               (response("elasticity") == response("predicted_elasticity")).alias("agrees")]
    return pl.concat([pairs.select(columns), node_pairs.select(columns)])
