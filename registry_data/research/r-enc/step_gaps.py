"""Issue 12 (r-enc): the CNN and encoder rows of a validation run, per group, and the per-step time a training row
misses. Diagnosis only: nothing here is fitted or written to a catalog.

Usage: .venv/bin/python registry_data/research/r-enc/step_gaps.py RUN/validation.parquet
(RUN from ``mlsys validate --out DIR``). Per GPU, a training row's step time is its per-GPU batch over its per-GPU
samples/s: measured_ms = 1e3 x (batch / devices) / (measured / devices), the same for the prediction; gap_ms is
measured_ms - predicted_ms (positive: the model's step is too short)."""
import sys

import polars as pl

MODELS = ["BERT-Large", "ResNet-50"]


def rows(path: str) -> pl.DataFrame:
    return pl.read_parquet(path).filter(pl.col("model").is_in(MODELS), pl.col("predicted").is_not_null())


def groups(frame: pl.DataFrame) -> pl.DataFrame:
    """Median signed and absolute error per model, metric, scenario, precision and accelerator."""
    return (frame.group_by("model", "metric", "scenario", "compute_dtype", "hardware")
            .agg(rows=pl.len(), signed_pct=pl.col("error_pct").median().round(1),
                 abs_pct=pl.col("abs_error_pct").median().round(1))
            .sort("model", "metric", "scenario", "hardware"))


def step_gaps(frame: pl.DataFrame) -> pl.DataFrame:
    """Training rows: per-GPU batch, measured and predicted step time and their difference, per configuration."""
    per_gpu = pl.col("batch") / pl.col("devices")
    return (frame.filter(pl.col("scenario") == "training")
            .with_columns(batch_per_gpu=per_gpu,
                          measured_ms=1e3 * per_gpu / (pl.col("measured") / pl.col("devices")),
                          predicted_ms=1e3 * per_gpu / (pl.col("predicted") / pl.col("devices")))
            .group_by("model", "hardware", "devices", "batch_per_gpu")
            .agg(rows=pl.len(), measured_ms=pl.col("measured_ms").median().round(1),
                 predicted_ms=pl.col("predicted_ms").median().round(1),
                 gap_ms=(pl.col("measured_ms") - pl.col("predicted_ms")).median().round(1),
                 signed_pct=pl.col("error_pct").median().round(1))
            .sort("model", "hardware", "devices", "batch_per_gpu"))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    data = rows(sys.argv[1])
    with pl.Config(tbl_rows=200, tbl_width_chars=200, tbl_hide_dataframe_shape=True):
        print(groups(data))
        print(step_gaps(data))
