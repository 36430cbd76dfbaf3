"""SQuAD v1.1 as MLPerf Inference runs it (issue 12, item 5: real workloads): a workloads-catalog row
with the mean unpadded tokens per sequence, and the MLPerf BERT rows of the measurements catalog
naming it (their ``dataset`` read "SQuAD v1.1" or "SQuAD v1.1 (max 384 tokens)"), so that the node
study runs each sample at that length (``pipeline.validation.predict.dataset_length``), not at the
max_seq_len = 384 every sequence is padded to.

Sources:
- Mean length: "For SQuAD-v1.1, padding accounts for 54% of the total input tokens when the max
  sequence length is 384" (openreview.net/forum?id=3nzKUh9a4M, abstract): 384 x (1 - 0.54) = 176.6
  valid tokens per sequence (the two-figure 54 % bounds it to 174.7-178.6).
- Why the padding is not computed: TensorRT's BERT "variable sequence length method ... concatenating
  each input id into a single long input id ... Now we can eliminate the wasted computation in the
  input paddings" (NVIDIA/TensorRT demo/BERT/README.md, "Variable sequence length"). NVIDIA's MLPerf
  Inference BERT builder (closed/NVIDIA code/bert/tensorrt, 2024) builds only such networks:
  BERTVarSeqLenINT8 / BERTVarSeqLenFP16 with inputs input_ids of shape (B x S,), cu_seqlens and
  max_seqlen, engine names tagged "vs" ("'vs' denotes variable seqlen"); the other submitters' rows
  here are builds of that code (their names say trt).
Run from the repository root (a second run changes nothing):

    .venv/bin/python registry_data/research/r-squad/apply.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog

REGISTRY = Path(__file__).parent.parent.parent
NAME = "SQuAD v1.1"
OLD_NAMES = ["SQuAD v1.1 (max 384 tokens)"]
MAX_SEQ = 384
PADDING_SHARE = 0.54
URL = "https://openreview.net/forum?id=3nzKUh9a4M"


def mean_tokens() -> float:
    """Valid tokens per 384-token sequence: 384 x (1 - the padding share)."""
    return round(MAX_SEQ * (1.0 - PADDING_SHARE), 1)


def row() -> dict:
    return {
        "source_url": URL, "last_verified": dt.date(2026, 12, 3), "source_quality": "primary", "name": NAME,
        "kind": "benchmark", "subset": "SQuAD v1.1 dev set as MLPerf Inference BERT runs it (dev-v1.1.json, "
                                       "max_seq_length 384, doc_stride 128, max_query_length 64)",
        "samples": 10833, "tokenizer": "BERT uncased WordPiece",
        "input_tokens_mean": mean_tokens(), "input_tokens_max": float(MAX_SEQ),
        "model": "BERT-Large", "trust": "B",
        "source_location": "abstract: 'For SQuAD-v1.1, padding accounts for 54% of the total input tokens when "
                           "the max sequence length is 384'",
        "notes": "input_tokens_mean = 384 x (1 - 0.54) = 176.6 valid tokens per sequence; the paper does not say "
                 "which split (train or dev) it counted. samples = MLPerf's 10,833 dev-set features "
                 "(total_sample_count of the BERT harnesses). input_tokens_max is max_seq_length (a bound). "
                 "Encoder task: no generated tokens.",
    }


def apply(registry: Path = REGISTRY) -> tuple[int, int]:
    """(workload rows added, measurement rows renamed)."""
    added = 0
    workloads = pl.read_parquet(registry / "workloads.parquet")
    if NAME not in workloads["name"].to_list():
        values = row()
        new = pl.DataFrame([{c: values.get(c) for c in workloads.columns}], schema=workloads.schema)
        write_catalog(pl.concat([workloads, new]), "workloads", registry, source=__file__)
        added = 1
    measurements = pl.read_parquet(registry / "measurements.parquet")
    rename = pl.col("dataset").is_in(OLD_NAMES) & (pl.col("model") == "BERT-Large")
    renamed = measurements.filter(rename).height
    if renamed:
        out = measurements.with_columns(dataset=pl.when(rename).then(pl.lit(NAME)).otherwise(pl.col("dataset")))
        write_catalog(out, "measurements", registry, source=__file__)
    return added, renamed


if __name__ == "__main__":
    added, renamed = apply()
    print(f"workloads: {added} row added; measurements: {renamed} rows now name {NAME!r}")
