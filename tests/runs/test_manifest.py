"""manifest.json: spec, catalog hashes, row and drop counts, counted independently from the catalogs."""

from __future__ import annotations

import hashlib
import json
import tomllib
from pathlib import Path

import polars as pl
import pyarrow.parquet as pq
import pytest

import pipeline
from pipeline import runs
from pipeline.catalogs.schemas import CATALOGS
from pipeline.runs import partitions
from pipeline.runs.manifest import identity
from pipeline.spec import DEFAULT_SPEC, parse_spec

REPO = Path(__file__).resolve().parents[2]
CATALOG_TABLES = tuple(CATALOGS)  # hardware, models, ..., clusters, regions, accelerator_costs, cloud_prices
DROP_NO_PEAK = "hardware has no published dense peak for compute_dtype"
DROP_CONTEXT = "seq_len exceeds the model's max_context_tokens"

# No row of this spec is dropped for two reasons at once (Llama 2 7B takes 4096 tokens).
NO_OVERLAP_SPEC = {
    "axes": {
        "hardware": ["A100 SXM4 80GB", "H100 SXM5 80GB", "T4"],
        "model": ["ResNet-50", "Llama 2 7B"],
        "compute_dtype": ["fp16", "bf16", "fp8"],
        "batch": [1, 8],
        "seq_len": [512, 2048],
        "workload": ["inference", "training"],
    }
}


# ---------------------------------------------------------------- independent counting helpers

STEPS_PER = {("cnn", "inference"): 1, ("cnn", "training"): 1,
             ("encoder", "inference"): 1, ("encoder", "training"): 1,
             ("decoder", "inference"): 2, ("decoder", "training"): 1}


def model_rows(axes: dict, workload: str, context_filter: bool = True, registry: Path | None = None) -> int:
    """model x step x batch x seq_len rows for one workload, counted straight from the catalog."""
    models = pl.read_parquet((registry or REPO / "registry_data") / "models.parquet")
    total = 0
    for row in models.filter(pl.col("name").is_in(axes["model"])).iter_rows(named=True):
        steps = STEPS_PER[(row["model_type"], workload)]
        if row["model_type"] == "cnn":
            seqs = 1
        elif context_filter:
            seqs = sum(1 for s in axes["seq_len"] if s <= row["max_context_tokens"])
        else:
            seqs = len(axes["seq_len"])
        total += steps * len(axes["batch"]) * seqs
    return total


def peak_pairs(axes: dict, registry: Path | None = None) -> tuple[int, int]:
    """(hardware x compute_dtype pairs with a published peak, pairs without one)."""
    reg = registry or REPO / "registry_data"
    hw = pl.read_parquet(reg / "hardware.parquet").filter(pl.col("name").is_in(axes["hardware"]))
    prec = dict(pl.read_parquet(reg / "precisions.parquet").select("name", "peak_column").iter_rows())
    have = missing = 0
    for row in hw.iter_rows(named=True):
        for dtype in axes["compute_dtype"]:
            if row[prec[dtype]] is None:
                missing += 1
            else:
                have += 1
    return have, missing


def parquet_rows(run_dir: Path) -> int:
    return sum(pl.scan_parquet(f).select(pl.len()).collect().item()
               for f in (run_dir / "study=node").glob("*/part-*.parquet"))


def test_manifest_contents(tmp_path, registry):
    run_dir = pipeline.run_sweep(NO_OVERLAP_SPEC, tmp_path / "out", registry=registry)
    manifest = json.loads((run_dir / "manifest.json").read_text())

    assert manifest["run_id"] == run_dir.name
    assert manifest["spec"] == parse_spec(NO_OVERLAP_SPEC).as_dict()
    assert set(manifest["catalogs"]) == set(CATALOG_TABLES)
    for table in CATALOG_TABLES:
        expected = hashlib.sha256((registry / f"{table}.parquet").read_bytes()).hexdigest()
        assert manifest["catalogs"][table]["sha256"] == expected, table
        copied = hashlib.sha256((run_dir / "catalogs" / f"{table}.parquet").read_bytes()).hexdigest()
        assert copied == expected, table

    axes = NO_OVERLAP_SPEC["axes"]
    have, missing = peak_pairs(axes, registry)
    assert missing == 3  # A100: fp8; T4: bf16, fp8 -- checks the helper, and the catalog it assumes
    per_pair = sum(model_rows(axes, w, registry=registry) for w in axes["workload"])
    assert manifest["rows"]["node"] == parquet_rows(run_dir) == have * per_pair
    assert isinstance(manifest["dropped"], dict)
    assert manifest["dropped"] == {DROP_NO_PEAK: missing * per_pair}
    assert manifest["package_version"] == runs.version()
    assert isinstance(manifest["wall_time_s"], (int, float)) and manifest["wall_time_s"] >= 0


def test_fp8_on_a100_alone_is_counted_under_its_reason(tmp_path):
    spec = {"axes": {"hardware": ["A100 SXM4 80GB", "H100 SXM5 80GB"], "model": ["Llama 2 7B", "ResNet-50"],
                     "compute_dtype": ["fp8"], "batch": [1, 2, 4], "seq_len": [1024],
                     "workload": ["inference"]}}
    run_dir = pipeline.run_sweep(spec, tmp_path / "out")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    # A100 has no fp8 peak: Llama (prefill + decode) x 3 batches + ResNet x 3 batches = 9 rows
    assert manifest["dropped"] == {DROP_NO_PEAK: 9}
    assert manifest["rows"]["node"] == parquet_rows(run_dir) == 9
    written = partitions.scan_parts(run_dir, "node").collect()
    assert written["hardware"].unique().to_list() == ["H100 SXM5 80GB"]


def test_context_drops_are_counted(tmp_path):
    spec = {"axes": {"hardware": ["A100 SXM4 80GB", "H100 SXM5 80GB"], "model": ["BERT-Large"],
                     "compute_dtype": ["fp16"], "batch": [1, 8], "seq_len": [384, 2048],
                     "workload": ["inference", "training"]}}
    manifest = json.loads((pipeline.run_sweep(spec, tmp_path / "out") / "manifest.json").read_text())
    # BERT-Large takes 512 tokens: seq_len 2048 goes, for 2 hardware x 2 batches x 2 workloads
    assert manifest["dropped"] == {DROP_CONTEXT: 8}
    assert manifest["rows"]["node"] == 8


def test_rows_plus_dropped_equal_the_requested_product(tmp_path, small_spec):
    run_dir = pipeline.run_sweep(small_spec, tmp_path / "out")
    manifest = json.loads((run_dir / "manifest.json").read_text())
    axes = small_spec["axes"]
    have, missing = peak_pairs(axes)
    full = (have + missing) * sum(model_rows(axes, w, context_filter=False) for w in axes["workload"])
    assert manifest["rows"]["node"] + sum(manifest["dropped"].values()) == full


# ---------------------------------------------------------------- the run id and the codec

def test_the_codec_leaves_the_run_id_and_is_recorded(tmp_path, registry):
    """zstd and lz4 parts of the same sweep: the same hash in the run id (the digest main computed over
    the lz4 record), each manifest and part footer naming its own codec."""
    record = parse_spec(NO_OVERLAP_SPEC).as_dict()  # no [output]: zstd since issue 15; main recorded lz4
    assert record["output"]["compression"] == "zstd"
    record["output"]["compression"] = "lz4"
    catalogs = {t: hashlib.sha256((registry / f"{t}.parquet").read_bytes()).hexdigest() for t in CATALOG_TABLES}
    main_digest = hashlib.sha256(json.dumps({"spec": record, "catalogs": catalogs, "version": runs.version()},
                                            sort_keys=True).encode()).hexdigest()[:8]
    for codec in ("zstd", "lz4", "snappy"):
        spec = NO_OVERLAP_SPEC | {"output": {"compression": codec}}
        run_dir = pipeline.run_sweep(spec, tmp_path / codec, registry=registry)
        manifest = json.loads((run_dir / "manifest.json").read_text())
        assert run_dir.name.endswith(f"-{main_digest}"), codec
        assert manifest["spec"]["output"]["compression"] == codec
        part = next((run_dir / "study=node").glob("*/part-*.parquet"))
        assert pq.ParquetFile(part).metadata.row_group(0).column(0).compression == codec.upper()


def test_another_axis_changes_the_run_id(tmp_path, registry):
    ids = {pipeline.run_sweep(NO_OVERLAP_SPEC | {"axes": NO_OVERLAP_SPEC["axes"] | {"batch": batch}},
                              tmp_path / str(batch[0]), registry=registry).name.split("-")[-1] for batch in ([1], [2])}
    assert len(ids) == 2


@pytest.mark.parametrize("name", ["default", "serving", "serving_cost", "training", "training_regions"])
def test_packaged_specs_write_zstd_under_their_lz4_run_id(name):
    """Each packaged spec writes zstd; the run id hashes what the same file hashed when it said lz4."""
    text = (DEFAULT_SPEC.parent / f"{name}.toml").read_text()
    spec = parse_spec(tomllib.loads(text))
    assert spec.output.compression == "zstd"
    before = parse_spec(tomllib.loads(text.replace('compression = "zstd"', 'compression = "lz4"')))
    assert before.output.compression == "lz4"
    assert identity(spec) == before.as_dict() != spec.as_dict()
