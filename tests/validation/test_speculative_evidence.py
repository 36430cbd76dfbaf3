"""Published speculative-decoding speedups (registry_data/research/r-specdec/speedups.csv)
predicted by the serving study: acceptance rates from the papers, costs from our operators.
Each row's error against the midpoint of the published range is printed; ``expect_within_20pct``
is the claim checked (see the CSV's notes for why a setting differs from the paper's)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

import pipeline

CSV = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-specdec" / "speedups.csv"
ROWS = pl.read_csv(CSV).to_dicts()


@pytest.mark.parametrize("row", ROWS, ids=[r["id"] for r in ROWS])
def test_published_speedup_is_predicted(row):
    axes = {"model": [row["target_model"]], "hardware": [row["hardware"]], "precision": [row["precision"]],
            "tp": [row["tp"]], "batch": [row["batch"]], "prompt_len": [row["prompt_len"]],
            "output_len": [row["output_len"]], "spec_draft_tokens": [row["spec_draft_tokens"]],
            "spec_acceptance": [row["spec_acceptance"]]}
    if row["draft"] != "head":
        axes["draft_model"] = [row["draft"]]
    predicted = pipeline.sweep({"study": "serving", "axes": axes})["spec_speedup"].item()
    measured = (row["measured_speedup_low"] + row["measured_speedup_high"]) / 2.0
    error = predicted / measured - 1.0
    print(f"{row['id']}: predicted {predicted:.2f}x, published {row['measured_speedup_low']}-"
          f"{row['measured_speedup_high']}x, error {error:+.0%}")
    assert (abs(error) <= 0.20) == row["expect_within_20pct"]
