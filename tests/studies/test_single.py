"""A single configuration without a cross join equals the sweep's row.

For each study, a random spec over the bundled registry (every optional part switched on:
a region, a shared cluster, storage and a host pipeline, a request rate in serving) is swept
once; then >= 1,000 configurations drawn from the cross product of its axes are answered one
by one by ``pipeline.studies.single``. A kept configuration must equal its sweep row in every
column (1e-9 relative, nulls equal, text and flags exactly, same dtypes); a configuration the
sweep drops must be dropped, for the reason the sweep path gives for it alone.
"""

from __future__ import annotations

import itertools
import random
from functools import cache

import polars as pl
import pytest

from pipeline import runs
from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import single
from tests.sweep_rows import BUNDLED, names, same

DRAWS = 1000
SWEEP_CHECKED_DROPS = 8  # dropped draws also answered by the sweep path alone (40 ms each)


def random_spec(study: str, rng: random.Random) -> dict:
    """Random axes over the bundled registry, every optional part switched on."""
    hardware, models, decoders = names("hardware"), names("models"), names("models", model_type="decoder")
    region = [rng.choice(names("regions"))]
    data = {"storage": rng.choice(names("storage")), "data_pipeline": rng.choice(names("host_pipelines"))}
    operations = {"shared_utilization": round(rng.uniform(0.1, 0.9), 3)}
    if study == "node":
        return {"data": data, "operations": operations, "axes": {
            "hardware": rng.sample(hardware, 10), "model": rng.sample(models, 12),
            "compute_dtype": ["fp32", "fp16", "bf16", "fp8", "int8"], "batch": rng.sample(range(1, 513), 2),
            "seq_len": [rng.randrange(16, 512), rng.randrange(512, 40000)], "workload": ["inference", "training"],
            "region": region}}
    if study == "serving":
        return {"operations": operations, "study": "serving", "axes": {
            "hardware": rng.sample(hardware, 8), "model": rng.sample(decoders, 8), "compute_dtype": ["fp16", "fp8"],
            "weight_dtype": ["fp16", "int4"], "kv_dtype": ["fp8"], "tp": [1, 2, 8], "pp": [1, 2],
            "batch": rng.sample(range(1, 257), 2), "prompt_len": [rng.randrange(16, 512), rng.randrange(512, 9000)],
            "output_len": rng.sample(range(1, 2049), 1), "request_rate": [round(rng.uniform(0.05, 50.0), 3)],
            "replicas": [1, rng.randrange(2, 9)], "prune_ratio": [0.0, 0.25], "region": region}}
    return {"training": data, "operations": operations, "study": "training", "axes": {
        "model": rng.sample(decoders, 6), "cluster": rng.sample(names("clusters"), 6),
        "compute_dtype": ["bf16", "fp8"], "seq_len": rng.sample([1024, 2048, 4096], 2), "gpus": [64, 256],
        "tp": [1, 2, 8], "pp": [1, 4], "virtual_stages": [1, 2], "global_batch": [rng.choice([512, 1024])],
        "microbatch": [1, 2], "zero_stage": [0, 3], "recompute": ["selective", "full"], "region": region}}


KEY = {"node": ["hardware", "model", "compute_dtype", "batch", "seq_len", "workload"],
       "serving": ["hardware", "model", "compute_dtype", "weight_dtype", "kv_dtype", "tp", "pp", "batch",
                   "prompt_len", "output_len", "request_rate", "replicas", "prune_ratio"],
       "training": ["cluster", "model", "compute_dtype", "seq_len", "gpus", "tp", "pp", "virtual_stages",
                    "global_batch", "microbatch", "zero_stage", "recompute"]}
FLOATS = {"serving": {"tp", "pp", "replicas", "request_rate", "prune_ratio"},
          "training": {"gpus", "tp", "pp", "virtual_stages", "global_batch", "microbatch", "zero_stage"}}


@cache
def swept(study: str):
    """The random spec, its sweep rows by configuration, the configurations to draw from, and its
    prepared sweep."""
    raw = random_spec(study, random.Random(5))
    prepared = runs.prepare(parse_spec(raw), BUNDLED)
    frame = runs.collect(prepared)
    rows: dict[tuple, list[dict]] = {}
    for row in frame.iter_rows(named=True):
        key = tuple(row[c] for c in KEY[study])
        if study == "node" and row["seq_len"] is None:  # a CNN has no sequence: it answers for every length
            for length in raw["axes"]["seq_len"]:
                rows.setdefault((*key[:4], length, *key[5:]), []).append(row)
            continue
        rows.setdefault(key, []).append(row)
    drawn = list(itertools.product(*(raw["axes"][c] for c in KEY[study])))
    return raw, frame, rows, drawn, prepared


def single_spec(raw: dict, study: str, config: tuple) -> dict:
    axes = {c: [v] for c, v in zip(KEY[study], config, strict=True)} | {"region": raw["axes"]["region"]}
    return {k: v for k, v in raw.items() if k != "axes"} | {"axes": axes}


def sweep_reason(spec: dict) -> list[str]:
    """What the sweep path says about one dropped configuration (its space's drop reasons). Its
    space holds no row (the study's plan only adds columns to the space's rows, so the sweep is
    empty: counted on the space, without building the study's formulas, ~2 s a spec)."""
    prepared = runs.prepare(parse_spec(spec), BUNDLED)
    assert prepared.space.frame().select(pl.len()).collect().item() == 0
    return list(prepared.space.dropped)


@pytest.mark.parametrize("study", ["node", "serving", "training"])
def test_a_single_configuration_equals_its_sweep_row(study):
    raw, frame, rows, drawn, _ = swept(study)
    catalogs = load_catalogs(BUNDLED)
    rng = random.Random(7)
    kept = [c for c in drawn if tuple(float(v) if k in FLOATS.get(study, ()) else v
                                      for k, v in zip(KEY[study], c, strict=True)) in rows]
    known = set(kept)
    dropped = [c for c in drawn if c not in known]
    assert len(kept) >= DRAWS and dropped  # the spec is large enough and drops some
    wrong: dict[str, tuple] = {}
    compared, schema = 0, frame.schema
    for config in rng.sample(kept, DRAWS):
        answer = single.answer(parse_spec(single_spec(raw, study, config)), catalogs)
        assert answer is not None and answer.dropped is None, config
        got = answer.frame()
        assert got.schema == schema  # the same columns, in order, with the same dtypes
        key = tuple(float(v) if k in FLOATS.get(study, ()) else v for k, v in zip(KEY[study], config, strict=True))
        expected = rows[key]
        assert got.height == len(expected)
        by_step = {row.get("step"): row for row in expected}  # node: a row per step, in the sweep's order
        for fast in got.iter_rows(named=True):
            row = by_step[fast.get("step")]
            compared += 1
            for column, value in row.items():
                if not same(fast[column], value):
                    wrong.setdefault(column, (fast[column], value, config))
    assert not wrong, wrong
    assert compared >= DRAWS

    reasons = {}
    for config in rng.sample(dropped, min(len(dropped), 200)):
        answer = single.answer(parse_spec(single_spec(raw, study, config)), catalogs)
        assert answer is not None and answer.dropped is not None, config
        reasons.setdefault(answer.dropped, config)
    checked = list(reasons.items())[:SWEEP_CHECKED_DROPS]
    assert checked
    for reason, config in checked:
        assert sweep_reason(single_spec(raw, study, config)) == [reason]


def test_what_the_fast_path_does_not_cover_is_left_to_the_sweep_path():
    catalogs = load_catalogs(BUNDLED)
    base = {"axes": {"model": ["Llama 2 7B"], "hardware": ["H100 SXM5 80GB"]}}
    assert single.answer(parse_spec(base), catalogs) is not None
    several = {"axes": {"model": ["Llama 2 7B"], "hardware": ["H100 SXM5 80GB"], "batch": [1, 2]}}
    assert single.answer(parse_spec(several), catalogs) is None
    unknown = {"axes": {"model": ["no such model"], "hardware": ["H100 SXM5 80GB"]}}
    assert single.answer(parse_spec(unknown), catalogs) is None  # the sweep path names it
    overridden = base | {"overrides": {"hardware.tdp_w": "500 W"}}
    assert single.answer(parse_spec(overridden), catalogs) is None


def test_the_serving_breakdown_equals_the_sweep_path():
    """Per-operator FLOPs, bytes, times and bounds (``breakdown``) of random drawn configurations,
    against the sweep path's rows of those configurations (the swept space's plan with
    ``breakdown``, filtered to them: one plan for the five rather than a sweep each)."""
    from pipeline.studies import serving

    raw, _, rows, drawn, prepared = swept("serving")
    catalogs = load_catalogs(BUNDLED)
    kept = [c for c in drawn if tuple(float(v) if k in FLOATS["serving"] else v
                                      for k, v in zip(KEY["serving"], c, strict=True)) in rows]
    chosen = random.Random(3).sample(kept, 5)

    def this(config: tuple) -> pl.Expr:
        return pl.all_horizontal(pl.col(k).cast(pl.String) == str(v) if k in ("hardware", "model") else pl.col(k) == v
                                 for k, v in zip(KEY["serving"], config, strict=True))

    frame = serving.build(prepared.space, breakdown=True).frame
    swept_rows = frame.filter(pl.any_horizontal(this(c) for c in chosen)).collect()
    assert swept_rows.height == len(chosen)
    for config in chosen:
        spec = parse_spec(single_spec(raw, "serving", config))
        fast = single.answer(spec, catalogs, breakdown=True).frame()
        slow = swept_rows.filter(this(config))
        assert fast.schema == slow.schema and slow.height == 1
        assert len(serving.BREAKDOWN) > 40 and set(serving.BREAKDOWN) <= set(fast.columns)
        for column in fast.columns:
            assert same(fast[column][0], slow[column][0]), (column, fast[column][0], slow[column][0])


def test_a_single_configuration_counts_the_first_rule_it_breaks():
    """A hardware rule before a model rule: fp8 on an accelerator without an fp8 peak (the A100:
    NVIDIA A100 datasheet, no FP8 tensor cores) beyond Llama 2 7B's 4,096-token context (Touvron et
    al. 2023) is dropped for the missing peak."""
    catalogs = load_catalogs(BUNDLED)
    spec = {"axes": {"model": ["Llama 2 7B"], "hardware": ["A100 SXM4 80GB"], "compute_dtype": ["fp8"],
                     "seq_len": [8192]}}
    assert single.answer(parse_spec(spec), catalogs).dropped == "hardware has no published dense peak for compute_dtype"
    spec["axes"]["compute_dtype"] = ["fp16"]
    assert single.answer(parse_spec(spec), catalogs).dropped == "seq_len exceeds the model's max_context_tokens"
    spec["axes"]["seq_len"] = [4096]
    assert single.answer(parse_spec(spec), catalogs).dropped is None


def test_a_layout_larger_than_its_gpus_is_dropped_as_the_sweep_drops_it():
    # tp x pp = 8 x 2 = 16 GPUs per data-parallel rank cannot fit in 8 GPUs: no rank at all
    cluster = "NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"
    raw = {"study": "training", "axes": {"model": ["Llama 2 7B"], "cluster": [cluster], "gpus": [8], "tp": [8],
                                         "pp": [2]}}
    answer = single.answer(parse_spec(raw), load_catalogs(BUNDLED))
    assert answer.dropped == "tp x pp x cp does not divide gpus"
    assert sweep_reason(raw) == [answer.dropped]
