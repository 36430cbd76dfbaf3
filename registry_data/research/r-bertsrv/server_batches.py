"""State the Server batch the submitters' own harness configs give on the MLPerf Inference BERT-99 / ResNet-50
Server rows (node study, samples_per_s): ``batch`` = the Server config's gpu_batch_size, the most samples NVIDIA's
harness puts in one engine call on one GPU (predict.measurement_spec runs a node inference row's stated batch as its
per-GPU batch). The configs also set gpu_inference_streams (engine calls in flight per GPU), printed beside it.

Sources: closed/<submitter>/configs/<bench>/Server/{__init__,custom}.py (and configs/<bench>/__init__.py for the
base class) at the commit each row's source_url names, in the bare mirrors the session's ``fetch`` tool makes of
mlcommons/inference_results_v3.0 and v4.1 (nothing is checked out); each class resolved through its bases with
r-nonllm/mlperf_configs.py's ``assignments`` / ``resolved`` (literal values only).

NOT APPLIED to registry_data/measurements.parquet (README.md here: the BERT rows on A100 / H100 SXM / H200 move
toward their measurements, every ResNet-50 and L40S row away, for want of the conv / int8 efficiency term
r-nonllm names). Print the table, or write it into a copy of the registry to measure it:

    .venv/bin/python registry_data/research/r-bertsrv/server_batches.py /work/.mirror
    cp -r registry_data /tmp/bertsrv-reg && .venv/bin/python registry_data/research/r-bertsrv/server_batches.py \
        /work/.mirror /tmp/bertsrv-reg && .venv/bin/mlsys validate --registry /tmp/bertsrv-reg --out /tmp/bertsrv-val1
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "r-nonllm"))
from mlperf_configs import assignments, resolved  # noqa: E402  (a sibling research script)

from pipeline.catalogs.io import read_catalog, write_catalog  # noqa: E402

BENCH = {"BERT-Large": ("bert", "bert"), "ResNet-50": ("resnet50", "resnet50")}  # model -> (configs dir, batch key)
URL = re.compile(r"github\.com/mlcommons/(inference_results_v[0-9.]+)/blob/([0-9a-f]{40})/closed/([^/]+)/results/"
                 r"([^/]+)_TRT/")
CLASS = {"DGX-A100_A100-SXM-80GBx8": "A100_SXM_80GBx8"}  # results system dir -> config class, where not its name
FIELDS = ("gpu_batch_size", "gpu_inference_streams", "use_graphs", "server_target_qps")


def show(mirror: Path, commit: str, path: str) -> str:
    done = subprocess.run(["git", "--git-dir", str(mirror), "show", f"{commit}:{path}"], capture_output=True,
                          text=True)
    return done.stdout if done.returncode == 0 else ""


def config(root: Path, repo: str, commit: str, submitter: str, system: str, bench: str,
           scenario: str = "Server") -> tuple[dict, list[str]]:
    """The ``scenario`` config class of ``system`` (resolved through its bases) and the files it was read from."""
    mirror = root / f"mlcommons+{repo}" / "repo"
    base = f"closed/{submitter}/configs/{bench}"
    base_values, base_bases = assignments(ast.parse(show(mirror, commit, f"{base}/__init__.py")))
    outer = resolved("GPUBaseConfig", base_values, base_bases, {})
    values, bases, files = {}, {}, []
    for name in ("__init__.py", "custom.py"):
        text = show(mirror, commit, f"{base}/{scenario}/{name}")
        if text:
            v, b = assignments(ast.parse(text.replace("\u00a0", " ")))  # Cisco's file holds no-break spaces
            values |= v
            bases |= b
            files.append(f"https://github.com/mlcommons/{repo}/blob/{commit}/{base}/{scenario}/{name}")
    wanted = CLASS.get(system, system.replace("-", "_")).lower()
    match = [c for c in values if c.lower() == wanted]
    if len(match) != 1:
        raise SystemExit(f"{repo} {submitter} {bench}: no single {scenario} config class named {wanted!r}")
    return resolved(match[0], values, bases, outer) | {"class": match[0]}, files


def batches(root: Path, measurements: pl.DataFrame) -> pl.DataFrame:
    """Per MLPerf Server samples_per_s row of BERT-Large / ResNet-50: its Server config's settings."""
    rows = measurements.filter(pl.col("metric") == "samples_per_s", pl.col("scenario") == "server",
                               pl.col("model").is_in(list(BENCH)))
    out = []
    for name, model, url in rows.select("name", "model", "source_url").iter_rows():
        found = URL.search(url)
        if found is None:
            raise SystemExit(f"measurements row {name!r}: source_url {url!r} is not an MLPerf results file")
        repo, commit, submitter, system = found.groups()
        bench, key = BENCH[model]
        got, files = config(root, repo, commit, submitter, system, bench)
        size = got.get("gpu_batch_size")
        size = size.get(key) if isinstance(size, dict) else size
        if not isinstance(size, int):
            raise SystemExit(f"{name}: gpu_batch_size {got.get('gpu_batch_size')!r} is not a literal")
        out.append({"name": name, "batch": size, **{f: str(got.get(f)) for f in FIELDS[1:]},
                    "class": got["class"], "sources": " ; ".join(files)})
    return pl.DataFrame(out)


def main(root: Path, registry: Path | None) -> None:
    measurements = read_catalog("measurements", registry or Path(__file__).parents[2])
    table = batches(root, measurements)
    with pl.Config(tbl_rows=50, tbl_width_chars=200, fmt_str_lengths=70):
        print(table.drop("sources"))
    if registry is None:
        return
    stated = measurements.join(table.select("name", new="batch"), on="name", how="left")
    stated = stated.with_columns(batch=pl.coalesce("new", "batch").cast(measurements.schema["batch"])).drop("new")
    print(write_catalog(stated, "measurements", registry, source="r-bertsrv/server_batches.py"))
    print(f"{table.height} rows now state their Server gpu_batch_size")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]) if len(sys.argv) > 2 else None)
