"""What a group's evaluated frame says for each measurement row (``predict``): the value of each row's metric
(``_value``), the columns that needs (``columns_read``, selected before the collect), and at each η the configuration
each row's batch rule picks, its band, its grid for calibration and why a row has none (``picked``)."""

from __future__ import annotations

import polars as pl

from pipeline.catalogs.expert_schema import POOL_METRICS
from pipeline.catalogs.schemas import METRICS
from pipeline.validation.serving_rows import FINITE_MEANS, admitted, delivered_tokens_per_s, under_load
from pipeline.validation.trtllm_bench import runtime_batch

THROUGHPUT = {"samples_per_s", "tokens_per_s", "tokens_per_s_per_device", "training_tokens_per_s", "mfu", "hfu",
              *POOL_METRICS}
COLUMN = {"training_tokens_per_s": "tokens_per_s"}  # metric -> output column, where the names differ
NO_FIT = "no feasible configuration (does not fit in memory)"
NO_FIT_AT_PROFILE = "no feasible configuration at the profile's efficiency"
# A row under a request rate was measured at that rate (an MLPerf Server log says VALID at its scheduled rate): wall 7
# calling the rate unstable predicts a failure the run did not have, for one of two reasons (wall 7's is_stable)
FAILURE = "predicted failure: the run served this request rate, "
OVER_CAPACITY = FAILURE + "which exceeds the predicted capacity at every efficiency (wall 7: unstable)"
OVER_CAPACITY_AT_PROFILE = FAILURE + "which exceeds the predicted capacity at the profile's efficiency"
PREFILL = ", but its prompts' prefill alone fills a replica's time (wall 7's prefill share λ τ_p >= 1: unstable)"
OVER_PREFILL_AT_PROFILE = FAILURE + "below the predicted capacity at the profile's efficiency" + PREFILL
OVER_PREFILL = OVER_PREFILL_AT_PROFILE + " at every efficiency"


def _value(study: str, columns: list[str], metrics: set[str] | None = None,
           statistics: set[str] | None = None) -> pl.Expr:
    """The prediction of each row's metric for the whole system the measurement ran on. ``metrics`` and
    ``statistics`` (None: every one): those of the rows at hand; a row's value is the first case of its own
    metric and statistic, so the cases of the others are left out, and with them the columns only they read,
    which the collect then does not compute (a group under load without a P50 or P99 row: no tail latency)."""
    metric, devices = pl.col("metric"), pl.col("devices")
    cases = []

    def add(m: str, when: pl.Expr, then: pl.Expr, statistic: str | None = None) -> None:
        if (metrics is None or m in metrics) and (statistic is None or statistics is None or statistic in statistics):
            cases.append((when, then))

    if study == "serving":
        # Benchmarks time whole requests: throughput includes prefill (batch_tokens_per_s), per replica; the
        # system runs devices / (tp x pp x ep / tp) replicas (ep / tp attention groups: serving_ep).
        # an offline run of a stated request count: its whole waves (serving_rows.burst_of, wall 7's burst)
        per_replica = pl.coalesce("burst_tokens_per_s", "batch_tokens_per_s") if "burst_tokens_per_s" in columns \
            else pl.col("batch_tokens_per_s")
        groups = (pl.col("ep") // pl.col("tp")).clip(lower_bound=1)
        devices_per_replica = pl.col("tp") * pl.col("pp") * groups
        per_query = pl.col("output_len").cast(pl.Float64)  # a decoder's sample (query): its generated tokens
        if under_load(columns):  # under a request rate or a closed loop: wall 7's means (load_axes)
            loaded = pl.col("request_rate").is_not_null()
            # a finite run's means, each where its rows read it (a group of ITL rows: TPOT's alone)
            ttft_run, tpot_run = ([c] if c in columns else [] for c in FINITE_MEANS)
            finite = [*ttft_run, *tpot_run] if ttft_run and tpot_run else None
            # the statistic the row states (null: mean): wall 7's P50/P99 (tail_latency, tpot_tail); no P90 there
            stat = pl.col("statistic").fill_null("mean")
            tails = {"ttft_s": ("ttft_p50_s", "ttft_p99_s"), "itl_s": ("tpot_p50_s", "tpot_p99_s")}
            for m, (p50, p99) in tails.items():
                add(m, (metric == m) & loaded & (stat == "p50"), pl.col(p50), "p50")
                add(m, (metric == m) & loaded & (stat == "p99"), pl.col(p99), "p99")
                add(m, (metric == m) & loaded & (stat == "p90"), pl.lit(None, pl.Float64), "p90")
            # a run of stated requests (pipeline.walls.finite_run) starts empty: below capacity the smaller of its
            # finite-run mean and the steady state's, which bounds it (Lindley's waits from an empty queue grow
            # towards the stationary ones, Loynes 1962); above capacity (steady state null) the finite run's
            add("ttft_s", (metric == "ttft_s") & loaded, pl.min_horizontal("ttft_mean_s", *ttft_run))
            add("itl_s", (metric == "itl_s") & loaded, pl.min_horizontal("tpot_under_load_s", *tpot_run))
            delivered = delivered_tokens_per_s(devices / devices_per_replica, finite)
            add("tokens_per_s", (metric == "tokens_per_s") & loaded, delivered)
            add("samples_per_s", (metric == "samples_per_s") & loaded, delivered / per_query)  # queries the rate serves
        add("latency_s", metric == "latency_s", pl.col("e2e_latency_s"))  # a decoder's whole query (measurements)
        system = per_replica * (devices / devices_per_replica)
        add("tokens_per_s", metric == "tokens_per_s", system)
        add("samples_per_s", metric == "samples_per_s", system / per_query)  # whole requests, their tokens over each's
        add("tokens_per_s_per_device", metric == "tokens_per_s_per_device", per_replica / devices_per_replica)
        if "burst_ttft_mean_s" in columns:  # a burst at t = 0 (burst_of)
            add("ttft_s", metric == "ttft_s", pl.col("burst_ttft_mean_s"))
            add("itl_s", metric == "itl_s", pl.col("burst_tpot_mean_s"))
    for m in METRICS:
        column = COLUMN.get(m, m)
        if column in columns:
            scale = devices if (study, m) == ("node", "samples_per_s") else 1
            add(m, metric == m, pl.col(column).cast(pl.Float64) * scale)
    if not cases:  # no row's metric is one this study predicts
        return pl.lit(None, pl.Float64)
    (first, then), *rest = cases
    value = pl.when(first).then(then)
    for when, then in rest:
        value = value.when(when).then(then)
    return value


def columns_read(study: str, columns: list[str], axes: list[str], stated: tuple[set[str], set[str]] | None = None,
          ) -> list[str]:
    """The columns of a group's evaluated frame that picking reads (``picked``, ``_over_capacity``): the
    axes, what each metric's value reads (``_value``), feasibility and KV admission (``admitted``),
    stability, the bound and the batch.
    Selecting them before the collect leaves the other columns uncomputed: 0.5 of 2.3 CPU s of collects."""
    value = _value(study, columns, *(stated or ()))
    wanted = {*axes, *value.meta.root_names(), *admitted(columns).meta.root_names(), "step",
              "batch", "global_batch", "bound", "ttft_bound", "is_stable", "utilization", "eta_compute",
              "request_rate", "max_batch_paged"}
    return [c for c in columns if c in wanted]


def picked(study: str, out: pl.DataFrame, profile: pl.DataFrame, etas: list[float],
            stated: tuple[set[str], set[str]] | None = None) -> pl.DataFrame:
    """At each η, the configuration each row's batch rule picks: the given batch; for a trtllm-bench offline run
    (``tuned``: ``trtllm_bench.runs_trtllm_bench``) the largest batch of the grid at most the one its batch tuner
    runs at the KV capacity (``trtllm_bench.runtime_batch``, at most that capacity; of an untuned checkpoint, the
    capacity itself: ``trtllm_bench.runs_untuned``); else the batch with the best
    value (highest throughput, lowest latency) among those that fit."""
    if study == "node":
        out = out.filter(pl.col("step").is_in(["forward", "prefill", "train"]))
    batch = "batch" if "batch" in out.columns else "global_batch"
    bound = pl.col("bound").cast(pl.String)
    if "ttft_bound" in out.columns:  # the binding term of what was measured: prefill's for a TTFT
        bound = pl.when(pl.col("metric") == "ttft_s").then(pl.col("ttft_bound").cast(pl.String)).otherwise(bound)
    best_first = pl.when(pl.col("metric").is_in(list(THROUGHPUT))).then(-pl.col("value")).otherwise("value")
    runs = admitted(out.columns)
    if "tuned" in out.columns and "max_batch_paged" in out.columns:  # the benchmark's batch, not the best one
        tuned = pl.col("tuned").fill_null(False)
        cap = pl.col("max_batch_paged")
        limit = pl.min_horizontal(runtime_batch(cap), cap)
        if "untuned" in out.columns:  # an untuned checkpoint's run (trtllm_bench.runs_untuned): its KV capacity
            untuned = pl.col("untuned").fill_null(False)
            limit = pl.when(untuned).then(cap).otherwise(limit)
            tuned = tuned | untuned
        runs = runs & (~tuned | (pl.col(batch) <= limit))
        best_first = pl.when(tuned).then(-pl.col(batch).cast(pl.Float64)).otherwise(best_first)
    # a latency row of unstated tp: the smallest tp that fits (serving_rows.tp_grid), then its best batch
    layout = (pl.when(pl.col("row_tp").is_null() & ~pl.col("metric").is_in(list(THROUGHPUT))).then(pl.col("tp"))
              .otherwise(0) if "tp" in out.columns else pl.lit(0))
    # equal values (a rate both layouts deliver): the one that fits at its batch, then the smaller tp, so the bound
    # reported does not hang on the order of the frame's rows
    ties = [(~pl.col(c)).alias("tie_unfit") if c == "is_feasible" else pl.col(c).alias("tie_tp")
            for c in ("is_feasible", "tp") if c in out.columns]
    chosen = (out.with_columns(value=_value(study, out.columns, *(stated or ())))
              .filter(runs & pl.col("value").is_not_null())
              .select("measurement", "eta_compute", "value", bound.alias("bound"),
                      pl.col(batch).cast(pl.Float64).alias("batch_used"), layout.alias("layout"),
                      best_first.alias("order"), *ties)
              .sort("measurement", "eta_compute", "layout", "order", "batch_used",
                    *(t.meta.output_name() for t in ties))
              .unique(["measurement", "eta_compute"], keep="first", maintain_order=True)
              .drop("order", "layout", *(t.meta.output_name() for t in ties)))
    at = profile.join(chosen.rename({"eta_compute": "eta"}), on=["measurement", "eta"], how="left")
    band = prediction_band(out, profile, chosen)
    grid = _grid(profile.select("measurement"), chosen, etas)
    fits = chosen.group_by("measurement").len()
    fits = fits.join(_over_capacity(out, profile), on="measurement", how="full", coalesce=True)
    reason = (pl.when(pl.col("len").is_null() & pl.col("over_everywhere") & pl.col("below_at_profile"))
              .then(pl.lit(OVER_PREFILL))
              .when(pl.col("len").is_null() & pl.col("over_everywhere")).then(pl.lit(OVER_CAPACITY))
              .when(pl.col("len").is_null()).then(pl.lit(NO_FIT))
              .when(pl.col("value").is_null() & pl.col("over_at_profile") & pl.col("below_at_profile"))
              .then(pl.lit(OVER_PREFILL_AT_PROFILE))
              .when(pl.col("value").is_null() & pl.col("over_at_profile")).then(pl.lit(OVER_CAPACITY_AT_PROFILE))
              .when(pl.col("value").is_null()).then(pl.lit(NO_FIT_AT_PROFILE)))
    ok = reason.is_null()
    frame = (at.join(band, on="measurement", how="left").join(grid, on="measurement", how="left")
             .join(fits, on="measurement", how="left").with_columns(reason=reason))
    return frame.select(
        "measurement", "family", "reason",
        *(pl.when(ok).then(pl.col(c)).alias(t) for c, t in (
            ("value", "predicted"), ("predicted_low", "predicted_low"), ("predicted_high", "predicted_high"),
            ("eta", "eta_compute"), ("eta_low", "eta_low"), ("eta_high", "eta_high"), ("bound", "bound"),
            ("batch_used", "batch_used"), ("grid", "grid"))))


def prediction_band(out: pl.DataFrame, profile: pl.DataFrame, chosen: pl.DataFrame) -> pl.DataFrame:
    """Per measurement, the least and greatest of its values at the profile's η_low, η and η_high (the point inside
    its band). A latency row under load whose request rate is over wall 7's capacity at an end of the band has no
    value there: its queue grows without bound (an open queue at rho >= 1 has no steady state; Kleinrock 1975), so
    the band's top is unbounded (+inf), not the other end's value. Near saturation the η band propagated through
    1 / (1 - rho) says how ill-conditioned the point is."""
    ends = pl.concat([profile.select("measurement", eta=e) for e in ("eta_low", "eta", "eta_high")])
    ends = ends.join(chosen.select("measurement", "eta_compute", "value"), left_on=["measurement", "eta"],
                     right_on=["measurement", "eta_compute"], how="left")
    over = _over_by_eta(out)
    if over is not None:
        ends = ends.join(over, left_on=["measurement", "eta"], right_on=["measurement", "eta_compute"], how="left")
        unbounded = pl.col("value").is_null() & pl.col("over").fill_null(False)
        ends = ends.with_columns(value=pl.when(unbounded).then(float("inf")).otherwise("value"))
    return ends.group_by("measurement").agg(predicted_low=pl.col("value").min(), predicted_high=pl.col("value").max())


def _over_by_eta(out: pl.DataFrame) -> pl.DataFrame | None:
    """Per measurement under load (wall 7) and η, whether its request rate is over the capacity at every
    configuration that runs (``over``: wall 7 unstable) and whether some configuration that runs has it below its
    capacity (``below``: utilization < 1, so the prefill share made it unstable); None without a request rate.
    Throughput rows deliver at most the capacity, so only latency rows (TTFT, ITL) count."""
    if "is_stable" not in out.columns:
        return None
    below = (pl.col("utilization") < 1.0).fill_null(False).any() if "utilization" in out.columns else pl.lit(False)
    return (out.filter(admitted(out.columns) & pl.col("request_rate").is_not_null()
                       & pl.col("metric").is_in(["ttft_s", "itl_s"]))
            .group_by("measurement", "eta_compute").agg(over=~pl.col("is_stable").fill_null(False).any(),
                                                        below=below))


def _over_capacity(out: pl.DataFrame, profile: pl.DataFrame) -> pl.DataFrame:
    """Per measurement under load (wall 7): whether its request rate is above the capacity at every η
    where it fits (``over_everywhere``) and at the profile's η (``over_at_profile``; ``below_at_profile``: below
    the capacity there, unstable by its prefill share): a row the model calls unstable is not a memory misfit. All
    false without a request rate."""
    flags = {"over_everywhere": pl.Boolean, "over_at_profile": pl.Boolean, "below_at_profile": pl.Boolean}
    over = _over_by_eta(out)
    if over is None:
        return profile.select("measurement").with_columns(pl.lit(False, t).alias(c) for c, t in flags.items())
    at = profile.select("measurement", "eta").join(over.rename({"eta_compute": "eta"}), on=["measurement", "eta"],
                                                   how="left")
    return (over.group_by("measurement").agg(over_everywhere=pl.col("over").all())
            .join(at.select("measurement", over_at_profile="over", below_at_profile="below"), on="measurement",
                  how="full", coalesce=True)
            .with_columns(pl.col(c).fill_null(False) for c in flags))


def _grid(measurements: pl.DataFrame, chosen: pl.DataFrame, etas: list[float]) -> pl.DataFrame:
    """Per measurement, the picked value at each η of ``etas``, in order (null where none fits)."""
    if not etas:
        return measurements.with_columns(grid=pl.lit(pl.Series([[]], dtype=pl.List(pl.Float64))).first())
    at = pl.DataFrame({"eta_compute": etas, "k": range(len(etas))}, schema={"eta_compute": pl.Float64, "k": pl.Int64})
    return (measurements.join(at, how="cross")
            .join(chosen.select("measurement", "eta_compute", "value"), on=["measurement", "eta_compute"], how="left")
            .sort("measurement", "k").group_by("measurement", maintain_order=True).agg(grid=pl.col("value")))
