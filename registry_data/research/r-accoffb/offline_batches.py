"""State the Offline batch the submitters' own harness configs give on the MLPerf Inference ResNet-50 / RetinaNet /
BERT-99 Offline rows (node study, samples_per_s): ``batch`` = the Offline config's gpu_batch_size, the samples
NVIDIA's harness puts in one engine call on one GPU (predict.measurement_spec runs a node inference row's stated
batch as its per-GPU batch; a null batch takes the best of NODE_BATCHES). gpu_inference_streams (engine calls in
flight per GPU) and use_graphs are printed beside it.

Sources, at the commit each row's source_url names, in the bare mirrors the session's ``fetch`` tool makes:
v3.0 / v4.1: closed/<submitter>/configs/<bench>/Offline/{__init__,custom}.py, resolved through their bases by
r-bertsrv/server_batches.py's ``config`` (r-nonllm's resolver); v5.1: closed/<submitter>/configs/<system>/Offline/
<bench>.py, whose EXPORTS dict maps ``model_fields.gpu_batch_size`` etc. to literals.

    .venv/bin/python registry_data/research/r-accoffb/offline_batches.py /work/.mirror           # the table
    .venv/bin/python registry_data/research/r-accoffb/offline_batches.py /work/.mirror REGISTRY  # write batch
    (add ``--streams`` to write gpu_batch_size x gpu_inference_streams instead: the samples in flight per GPU;
    ``--overlap``: that and the streams as ``inference_streams``, which only streams_overlap.patch reads)
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "r-bertsrv"))
from server_batches import URL, config, show  # noqa: E402  (a sibling research script)

from pipeline.catalogs.io import read_catalog, write_catalog  # noqa: E402

BENCH = {"BERT-Large": ("bert", "bert"), "ResNet-50": ("resnet50", "resnet50"),
         "RetinaNet": ("retinanet", "retinanet")}  # model -> (configs dir, gpu_batch_size key)
FIELDS = ("gpu_batch_size", "gpu_inference_streams", "use_graphs")


def exported(root: Path, repo: str, commit: str, submitter: str, system: str, bench: str) -> tuple[dict, list[str]]:
    """A v5.1 system's Offline settings: the literal values of its EXPORTS dict (one workload setting)."""
    path = f"closed/{submitter}/configs/{system}/Offline/{bench}.py"
    text = show(root / f"mlcommons+{repo}" / "repo", commit, path)
    tree = ast.parse(text)
    settings = [node for node in ast.walk(tree) if isinstance(node, ast.Dict)
                and any(isinstance(k, ast.Attribute) and k.attr == "gpu_batch_size" for k in node.keys)]
    if len(settings) > 1:  # one per C.WorkloadSetting: the rows are the MaxP (not power) submissions' (offb2)
        keyed = {id(v): k for node in ast.walk(tree) if isinstance(node, ast.Dict)
                 for k, v in zip(node.keys, node.values)}
        settings = [s for s in settings if "PowerSetting.MaxP" in ast.unparse(keyed.get(id(s)) or ast.Constant(""))]
    if len(settings) != 1:
        raise SystemExit(f"{repo} {path}: {len(settings)} settings dicts with a gpu_batch_size, expected 1")
    got = {k.attr: ast.literal_eval(v) for k, v in zip(settings[0].keys, settings[0].values)
           if isinstance(k, ast.Attribute) and isinstance(v, ast.Constant | ast.Dict)}
    return got | {"class": system}, [f"https://github.com/mlcommons/{repo}/blob/{commit}/{path}"]


def batches(root: Path, measurements: pl.DataFrame) -> pl.DataFrame:
    """Per MLPerf Offline samples_per_s row of BERT-Large / ResNet-50 / RetinaNet: its Offline config's settings."""
    rows = measurements.filter(pl.col("metric") == "samples_per_s", pl.col("scenario") == "offline",
                               pl.col("model").is_in(list(BENCH)))
    parts = ["repo", "commit", "submitter", "system"]
    located = rows.select("name", "model", "source_url", pl.col("source_url").str.extract_groups(URL.pattern)
                          .struct.rename_fields(parts).alias("at")).unnest("at")
    for name, url in located.filter(pl.col("repo").is_null()).select("name", "source_url").iter_rows():
        raise SystemExit(f"measurements row {name!r}: source_url {url!r} is not an MLPerf results file")
    out = []
    for name, model, *at in located.select("name", "model", *parts).iter_rows():
        bench, key = BENCH[model]
        try:
            got, files = (exported(root, *at, bench) if at[0].endswith("v5.1")
                          else config(root, *at, bench, "Offline"))
        except SystemExit as missing:  # no class of its own (Dell's R760xa L40S RetinaNet): the row keeps null
            print(f"{name}: left as it is, {missing}", file=sys.stderr)
            continue
        per_bench = got.get("gpu_batch_size")
        size = per_bench.get(key) if isinstance(per_bench, dict) else per_bench
        streams = got.get("gpu_inference_streams", 1)
        if not isinstance(size, int) or not isinstance(streams, int):
            raise SystemExit(f"{name}: gpu_batch_size {size!r} / gpu_inference_streams {streams!r} not literals")
        out.append({"name": name, "model": model, "batch": size, "streams": streams,
                    "use_graphs": str(got.get("use_graphs")), "class": got["class"], "sources": " ; ".join(files)})
    return pl.DataFrame(out)


def main(root: Path, registry: Path | None, in_flight: bool, overlap: bool = False) -> None:
    """Print the table; with ``registry``, write each listed row's batch (x streams when ``in_flight``) there."""
    measurements = read_catalog("measurements", registry or Path(__file__).parents[2])
    table = batches(root, measurements)
    with pl.Config(tbl_rows=60, tbl_width_chars=200, fmt_str_lengths=70):
        print(table.drop("sources"))
    if registry is not None:
        stated = table.select("name", batch=pl.col("batch") * pl.col("streams") if in_flight else pl.col("batch"))
        if overlap:  # streams_overlap.patch: batch x streams in flight, and the streams column it reads
            stated = stated.with_columns(inference_streams=table["streams"].cast(pl.Float64))
            if "inference_streams" not in measurements.columns:
                measurements = measurements.with_columns(inference_streams=pl.lit(None, pl.Float64))
        stated = measurements.update(stated.cast({"batch": measurements.schema["batch"]}), on="name", how="left")
        print(write_catalog(stated, "measurements", registry, source="r-accoffb/offline_batches.py"))
        print(f"{table.height} rows now state their Offline gpu_batch_size{' x streams' if in_flight else ''}")


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if a not in ("--streams", "--overlap")]
    overlap = "--overlap" in sys.argv  # batch x streams and inference_streams (needs streams_overlap.patch applied)
    main(Path(args[0]), Path(args[1]) if len(args) > 1 else None, "--streams" in sys.argv or overlap, overlap)
