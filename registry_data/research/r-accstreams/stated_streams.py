"""The MLPerf Inference ResNet-50 / RetinaNet / BERT-99 Offline and Server rows (node study, samples_per_s) with their
harness's own batch and inference streams (``pipeline.walls.inference_streams``): ``batch`` = the scenario config's
gpu_batch_size (one engine call's samples on one GPU), ``inference_streams`` = its gpu_inference_streams (engine calls
in flight on one GPU; unstated: the harness flag's default, 1: closed/NVIDIA/code/harness/common/harness_flags.hpp
``DEFINE_uint32(gpu_inference_streams, 1, ...)``, inference_results_v4.1 @198fc46). The configs are read by
r-accoffb/offline_batches.py (Offline) and r-bertsrv/server_batches.py (Server) at the commit each row's source_url
names, in the bare mirrors the session's ``fetch`` tool makes (/work/.mirror).

    .venv/bin/python registry_data/research/r-accstreams/stated_streams.py --columns REGISTRY
        # the schema step alone: efficiency_profiles' inference_streams (+ source url) and measurements'
        # inference_streams, null everywhere (what the bundled registry holds)
    .venv/bin/python registry_data/research/r-accstreams/stated_streams.py /work/.mirror REGISTRY
        # the rows' stated batch and streams (README.md here: applied or not, and why); with --batch-only the
        # batch alone (streams null: one call in flight), to separate the two
"""

from __future__ import annotations

import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent / "r-accoffb"))
sys.path.insert(0, str(HERE.parent / "r-bertsrv"))
import offline_batches  # noqa: E402  (sibling research scripts)
import server_batches  # noqa: E402

from pipeline.catalogs.io import read_catalog, write_catalog  # noqa: E402

HARNESS_DEFAULT_STREAMS = 1  # harness_flags.hpp's gpu_inference_streams default (module docstring)


def stated(root: Path, measurements: pl.DataFrame) -> pl.DataFrame:
    """One row per resolved Offline or Server row: name, scenario, batch, inference_streams."""
    offline = offline_batches.batches(root, measurements).select(
        "name", pl.lit("offline").alias("scenario"), "batch", pl.col("streams").alias("inference_streams"))
    server = server_batches.batches(root, measurements)
    streams = pl.col("gpu_inference_streams")
    server = server.select("name", pl.lit("server").alias("scenario"), "batch",
                           pl.when(streams == "None").then(pl.lit(HARNESS_DEFAULT_STREAMS))
                           .otherwise(streams.cast(pl.Int64, strict=True)).alias("inference_streams"))
    return pl.concat([offline, server.cast(offline.schema)], how="vertical")


def with_columns(registry: Path) -> None:
    """Write efficiency_profiles and measurements with their inference-streams columns (null where unstated)."""
    for table in ("efficiency_profiles", "measurements"):
        print(write_catalog(read_catalog(table, registry), table, registry, source="r-accstreams/stated_streams.py"))


def main(root: Path, registry: Path, streams: bool = True) -> None:
    """Print the table and write each listed row's batch and inference_streams (null without ``streams``: the
    batch alone, r-accoffb's and r-bertsrv's comparison) into ``registry``."""
    with_columns(registry)
    measurements = read_catalog("measurements", registry)
    table = stated(root, measurements)
    table = table if streams else table.with_columns(pl.lit(None, pl.Int64).alias("inference_streams"))
    with pl.Config(tbl_rows=80, tbl_width_chars=200, fmt_str_lengths=70):
        print(table)
    columns = table.drop("scenario").cast({c: measurements.schema[c] for c in ("batch", "inference_streams")})
    new = measurements.update(columns, on="name", how="left")
    print(write_catalog(new, "measurements", registry, source="r-accstreams/stated_streams.py"))
    print(f"{table.height} rows now state their harness batch and inference streams")


if __name__ == "__main__":
    if sys.argv[1] == "--columns":
        with_columns(Path(sys.argv[2]))
    else:
        main(Path(sys.argv[1]), Path(sys.argv[2]), streams="--batch-only" not in sys.argv)
