"""Add the MLPerf BERT phase-2 Wikipedia training set to the workloads catalog (issue 12, node
training rows). Its name is the ``dataset`` the 34 MLPerf Training BERT rows of the measurements
catalog already carry, so the measurements catalog is not touched.

Source: NVIDIA's MLPerf Training v3.1 BERT submission, input_preprocessing/packed_data/README.md
(the packing statistics its generate_packing_strategy.py prints for the phase-2 training set,
max_seq_length 512): "New number of samples: 78404631.00, original 156726829", "Theoretical upper
bound on speed-up: 2.012", "Average sequences/sample 1.99895", "Original dataset used 4.04e+10
padding tokens". Mean tokens per sequence = (156,726,829 x 512 - 4.04e10) / 156,726,829 = 254.2
(the three-figure 4.04e10 bounds it to 254.1-254.5; 512 / 2.012 = 254.5 agrees). Run from the
repository root (a second run changes nothing):

    .venv/bin/python registry_data/research/r-nodetrain/apply.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog

REGISTRY = Path(__file__).parent.parent.parent
NAME = "Wikipedia 2020/01/01 (MLPerf BERT phase-2)"
SAMPLES = 156_726_829
MAX_SEQ = 512
PADDING_TOKENS = 4.04e10
URL = ("https://github.com/mlcommons/training_results_v3.1/blob/f33f9444205023cf49bf19ec960992b39663f6fd/"
       "NVIDIA/benchmarks/bert/implementations/pytorch/input_preprocessing/packed_data/README.md")


def mean_tokens() -> float:
    """Valid (non-padding) tokens per sequence of the training set, from the README's counts."""
    return round((SAMPLES * MAX_SEQ - PADDING_TOKENS) / SAMPLES, 1)


def row() -> dict:
    return {
        "source_url": URL, "last_verified": dt.date(2026, 12, 3), "name": NAME, "kind": "benchmark",
        "subset": "MLPerf Training BERT phase-2 training set (results4, 500 shards, dupe_factor 10, "
                  "max_seq_length 512, max_predictions_per_seq 76)",
        "samples": SAMPLES, "tokenizer": "BERT uncased WordPiece (phase1/vocab.txt)",
        "input_tokens_mean": mean_tokens(), "input_tokens_max": float(MAX_SEQ),
        "model": "BERT-Large", "trust": "A",
        "source_location": "packed_data/README.md packing statistics: original 156726829 samples, 4.04e+10 "
                           "padding tokens, theoretical upper bound on speed-up 2.012, average sequences/sample "
                           "1.99895",
        "notes": "input_tokens_mean = (156726829 x 512 - 4.04e10) / 156726829 (valid tokens per sequence; "
                 "512 / 2.012 = 254.5 agrees). input_tokens_max is max_seq_length (a bound). Packed 3 to a "
                 "512-token row (max_seq_per_sample 3), NVIDIA's runs compute 512 / 1.99895 = 256.1 token "
                 "slots per sequence (0.7 % padding). Pre-training: no generated tokens.",
    }


def apply(registry: Path = REGISTRY) -> int:
    """Rows added (0 when the catalog already has the row)."""
    frame = pl.read_parquet(registry / "workloads.parquet")
    if NAME in frame["name"].to_list():
        return 0
    values = row()
    new = pl.DataFrame([{c: values.get(c) for c in frame.columns}], schema=frame.schema)
    write_catalog(pl.concat([frame, new]), "workloads", registry, source=__file__)
    return 1


if __name__ == "__main__":
    print(f"workloads: {apply()} row added")
