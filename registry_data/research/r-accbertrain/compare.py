"""Two `mlsys validate` runs side by side: the MLPerf Training BERT / ResNet-50 rows (signed error at catalog eta,
median per accelerator), and each metric's median |error| where it moved.

    .venv/bin/python registry_data/research/r-accbertrain/compare.py BEFORE/validation.parquet AFTER/validation.parquet
"""

from __future__ import annotations

import sys

import polars as pl


def main(before: str, after: str) -> None:
    keys = ["name", "metric"]
    b = pl.read_parquet(before).select(*keys, "model", "hardware", "devices", "scenario", e0="error_pct")
    a = pl.read_parquet(after).select(*keys, e1="error_pct")
    both = b.join(a, on=keys, how="left")
    train = both.filter(pl.col("scenario") == "training", pl.col("metric") == "samples_per_s",
                        pl.col("name").str.starts_with("mlperf-train-"))
    print("| model | accelerator | rows | median signed before | after | median abs before | after |")
    print("|---|---|---|---|---|---|---|")
    for r in train.group_by("model", "hardware").agg(
            pl.len().alias("n"), pl.col("e0").median(), pl.col("e1").median(), pl.col("e0").abs().median().alias("a0"),
            pl.col("e1").abs().median().alias("a1")).sort("model", "hardware").iter_rows(named=True):
        print(f"| {r['model']} | {r['hardware']} | {r['n']} | {r['e0']:+.1f} | {r['e1']:+.1f} | {r['a0']:.1f} | "
              f"{r['a1']:.1f} |")
    for model in ("BERT-Large", "ResNet-50"):
        m = train.filter(pl.col("model") == model)
        print(f"{model}: {m.height} rows, median |error| {m['e0'].abs().median():.2f} -> {m['e1'].abs().median():.2f}"
              f", median signed {m['e0'].median():+.2f} -> {m['e1'].median():+.2f}")
    print("\nrows that moved (|delta| > 0.05 points):")
    for r in both.filter((pl.col("e1") - pl.col("e0")).abs() > 0.05).sort("model", "hardware", "devices").iter_rows(
            named=True):
        print(f"  {r['name']} [{r['metric']}] {r['devices']} dev: {r['e0']:+.1f} -> {r['e1']:+.1f}")
    print("\nmetric medians (|error|, catalog eta) that moved:")
    for metric, g0 in b.group_by("metric").agg(pl.col("e0").abs().median()).iter_rows():
        g1 = both.filter(pl.col("metric") == metric)["e1"].abs().median()
        if g0 is not None and g1 is not None and abs(g1 - g0) > 1e-9:
            print(f"  {metric}: {g0:.3f} -> {g1:.3f}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
