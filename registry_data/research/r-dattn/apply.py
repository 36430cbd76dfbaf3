"""Issue 12 item 2: decode (paged) attention kernel rows, one query per sequence over a KV cache, as
attention_time_s rows of the kernel study (pipeline.studies.operator), from rows.csv here.

Sources (NOTES.md): microsoft/onnxruntime PR #21414 (nvbench tables of FlashAttention-2's paged batch
decode, H100 SXM and A100 SXM4 80GB) and Dao-AILab/flash-attention issue #1572 (FlashAttention-3 paged
decode on an H100). Re-runnable: a row of the same name is replaced, every other row kept.

    .venv/bin/python registry_data/research/r-dattn/apply.py
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

HERE = Path(__file__).parent
REGISTRY = Path(__file__).parents[2]


def main() -> None:
    old = read_catalog("measurements", REGISTRY)
    new = pl.read_csv(HERE / "rows.csv", infer_schema=False).with_columns(pl.col(pl.String).replace("", None))
    new = new.with_columns(pl.col("last_verified").str.to_date("%Y-%m-%d"),
                           pl.col("causal") == "true",
                           *(pl.col(c).cast(old.schema[c]) for c in new.columns
                             if c not in ("last_verified", "causal")))
    kept = old.filter(~pl.col("name").is_in(new["name"].implode()))
    out = pl.concat([kept, new], how="diagonal_relaxed").select(old.columns)
    out = out.with_columns(pl.col(c).cast(t) for c, t in old.schema.items())
    print(f"{new.height} decode attention kernel rows")
    print(write_catalog(out, "measurements", REGISTRY, source="r-dattn/apply.py"))


if __name__ == "__main__":
    main()
