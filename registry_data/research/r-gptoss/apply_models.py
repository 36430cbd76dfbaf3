"""Set the models catalog's ``quantized_layers`` on the GPT-OSS rows (re-runnable, idempotent; other rows kept).

    .venv/bin/python registry_data/research/r-gptoss/apply_models.py [--registry DIR]

The published checkpoints store the routed experts in MXFP4 and keep attention's projections, the router, the
embedding and the LM head in BF16: config.json ``quantization_config`` {"quant_method": "mxfp4",
"modules_to_not_convert": ["model.layers.*.self_attn", "model.layers.*.mlp.router", "model.embed_tokens",
"lm_head"]} (sources: README.md of this folder). A registry written before the column existed gets it (null).
"""

from __future__ import annotations

import argparse
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog

ROWS = ("GPT-OSS 20B", "GPT-OSS 120B")
NOTE = ("Checkpoint: routed experts in MXFP4 (E2M1 + one E8M0 scale per 32, 4.25 bits), attention, router, "
        "embedding and LM head in BF16 (config.json quantization_config modules_to_not_convert): quantized_layers "
        "'experts'.")


def apply(registry: Path | None = None) -> pl.DataFrame:
    models = read_catalog("models", registry)
    hit = pl.col("name").is_in(ROWS)
    if models.filter(hit).height != len(ROWS):
        raise SystemExit(f"models catalog: expected rows {ROWS}")
    notes = pl.when(hit & ~pl.col("notes").str.contains(NOTE, literal=True)).then(
        pl.concat_str([pl.col("notes"), pl.lit(" " + NOTE)])).otherwise(pl.col("notes"))
    out = models.with_columns(notes.alias("notes"),
                              pl.when(hit).then(pl.lit("experts")).otherwise(pl.col("quantized_layers"))
                              .alias("quantized_layers"))
    write_catalog(out, "models", registry)
    return out


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--registry", type=Path, default=None)
    apply(parser.parse_args().registry)
