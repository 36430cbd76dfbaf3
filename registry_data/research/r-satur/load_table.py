"""The MLPerf Server / Interactive latency rows against their load: for each TTFT / ITL row of a validation run,
wall 7's utilization (served rate / predicted capacity), the batch in flight and the prefill share, from the same
configuration the validation predicts (``serving_rows.serving_spec``, the dataset's mean prompt written into the
row so the one-configuration path answers), beside the row's error; then the median signed error per load band and
framework.

    .venv/bin/mlsys validate --out /tmp/val
    .venv/bin/python registry_data/research/r-satur/load_table.py /tmp/val [out.csv]
"""

from __future__ import annotations

import glob
import sys

import polars as pl

from pipeline.catalogs.load import Catalogs, load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import single
from pipeline.validation.serving_rows import Datasets, serving_spec

HELD = pl.col("notes").str.contains("MLPerf Inference v6.0 closed datacenter (", literal=True)
KEEP = ("capacity_requests_per_s", "utilization", "prefill_utilization", "batch_in_flight", "load_batch_cap",
        "ttft_p50_s", "ttft_mean_s", "tpot_under_load_s", "prefill_time_one_request_s", "itl_at_load_s",
        "replicas", "request_rate_per_replica")
BANDS = [0.5, 0.8, 0.9, 0.95, 1.0]


def rows_of(run: str) -> pl.DataFrame:
    found = sorted(glob.glob(f"{run}/validation/*/validation.parquet"))[-1]
    rows = pl.read_parquet(found).filter(pl.col("source_url").str.contains("inference_results_v"),
                                         pl.col("study") == "serving", pl.col("scenario") == "server",
                                         pl.col("metric").is_in(["ttft_s", "itl_s"]))
    return rows.with_columns(round=pl.when(HELD).then(pl.lit("v6.0")).otherwise(
        pl.col("source_url").str.extract(r"inference_results_(v[\d.]+)")),
        interactive=pl.col("name").str.contains("interactive"))


def loaded(rows: pl.DataFrame, catalogs: Catalogs) -> pl.DataFrame:
    datasets = Datasets.of(catalogs.workloads, catalogs.models)
    out = []
    for r in rows.iter_rows(named=True):
        r = dict(r)
        name = datasets.names.get(r["dataset"] or "")
        if r["prompt_len"] is None and name:
            r["prompt_len"] = round(datasets.means[name]["input_tokens_mean"] or 0) or None
        spec, _ = serving_spec(r, datasets)
        got = {}
        if spec is not None and len(spec["axes"]["tp"]) == 1:
            answer = single.answer(parse_spec(spec, "r-satur"), catalogs)
            if answer is not None and answer.dropped is None and answer.rows:
                got = {k: answer.rows[0].get(k) for k in KEEP}
        out.append({"line": r["line"], "metric": r["metric"]} | {k: got.get(k) for k in KEEP})
    return rows.join(pl.from_dicts(out, schema={"line": pl.UInt32, "metric": pl.String} | {
        k: pl.Float64 for k in KEEP}), on=["line", "metric"], how="left")


def measured_load(run: str, table: pl.DataFrame) -> pl.DataFrame:
    """The load each Server / Interactive row ran at as its own logs say it: the run's completed tokens/s over the
    same submission's Offline tokens/s (same round, submitter, model, accelerator, devices, framework, dtype)."""
    found = sorted(glob.glob(f"{run}/validation/*/validation.parquet"))[-1]
    rows = pl.read_parquet(found).filter(pl.col("source_url").str.contains("inference_results_v"),
                                         pl.col("metric") == "tokens_per_s")
    rows = rows.with_columns(round=pl.when(HELD).then(pl.lit("v6.0")).otherwise(
        pl.col("source_url").str.extract(r"inference_results_(v[\d.]+)")),
        submitter=pl.col("source_url").str.extract(r"/closed/([^/]+)/"))
    key = ["round", "submitter", "model", "hardware", "devices", "framework", "compute_dtype"]
    offline = rows.filter(pl.col("scenario") == "offline").group_by(key).agg(
        offline=pl.col("measured").first(), offline_predicted=pl.col("predicted").first())
    served = rows.filter(pl.col("scenario") == "server").group_by([*key, "request_rate"]).agg(
        served=pl.col("measured").first())
    table = table.with_columns(submitter=pl.col("source_url").str.extract(r"/closed/([^/]+)/"))
    return (table.join(served, on=[*key, "request_rate"], how="left").join(offline, on=key, how="left")
            .with_columns(measured_load=pl.col("served") / pl.col("offline")))


def main(run: str, out: str | None = None) -> None:
    table = measured_load(run, loaded(rows_of(run), load_catalogs()))
    if out:
        table.drop("notes").write_csv(out)
    band = pl.col("utilization").cut(BANDS, labels=["<0.5", "0.5-0.8", "0.8-0.9", "0.9-0.95", "0.95-1", ">=1"])
    with pl.Config(tbl_rows=200, tbl_width_chars=200, tbl_hide_dataframe_shape=True,
                   tbl_formatting="ASCII_MARKDOWN", tbl_hide_column_data_types=True):
        print(table.with_columns(band=band).group_by("metric", "framework", "band").agg(
            rows=pl.len(), predicted=pl.col("error_pct").is_not_null().sum(),
            median_signed=pl.col("error_pct").median().round(1)).sort("metric", "framework", "band"))
        print("the load each row ran at (its tokens/s over its Offline run's) beside the predicted utilization")
        print(table.filter(pl.col("measured_load").is_not_null()).group_by("metric", "interactive").agg(
            rows=pl.len(), measured_load=pl.col("measured_load").median().round(2),
            predicted_utilization=pl.col("utilization").median().round(2),
            median_signed=pl.col("error_pct").median().round(1)).sort("metric", "interactive"))
        gap = (pl.col("utilization") / pl.col("measured_load")).cut(
            [0.8, 0.9, 1.0, 1.1], labels=["<0.8", "0.8-0.9", "0.9-1", "1-1.1", ">=1.1"])
        print("TTFT / ITL error by predicted utilization over the measured load")
        print(table.with_columns(gap=gap).filter(pl.col("gap").is_not_null()).group_by("metric", "gap").agg(
            rows=pl.len(), predicted=pl.col("error_pct").is_not_null().sum(),
            median_signed=pl.col("error_pct").median().round(1)).sort("metric", "gap"))
        print("TTFT per model and accelerator: the Offline error beside wall 7's capacity over the Offline prediction")
        capacity = pl.col("capacity_requests_per_s") * pl.col("replicas") * pl.col("output_len")
        print(table.filter(pl.col("metric") == "ttft_s", pl.col("offline_predicted").is_not_null()).group_by(
            "model", "hardware").agg(
            rows=pl.len(), offline_error=((pl.col("offline_predicted") / pl.col("offline") - 1.0) * 100).median()
            .round(1), capacity_over_offline_predicted=(capacity / pl.col("offline_predicted")).median().round(2),
            measured_load=pl.col("measured_load").median().round(2),
            ttft_median_signed=pl.col("error_pct").median().round(0)).sort("model", "hardware"))


if __name__ == "__main__":
    main(*sys.argv[1:])
