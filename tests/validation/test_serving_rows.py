"""Serving measurement rows naming a dataset (issue 12 item 5): resolution through the workloads catalog's
names and aliases, the work per request it sets, and the reasons of rows that cannot be predicted."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs import overrides
from pipeline.errors import InputError
from pipeline.spec import parse_spec
from pipeline.studies.serving_lengths import lengths
from pipeline.validation.grouping import group_key
from pipeline.validation.predict import SPEC_INPUTS, measurement_spec
from pipeline.validation.serving_rows import Datasets, tp_grid
from pipeline.validation.shared_space import variant

ORCA = "OpenOrca (MLPerf llama2-70b subset, 24576 samples)"
ROW = dict.fromkeys(SPEC_INPUTS) | {
    "study": "serving", "scenario": "offline", "metric": "tokens_per_s", "framework": "TensorRT-LLM",
    "model": "Llama 2 70B", "hardware": "H200 SXM 141GB", "compute_dtype": "fp8", "weight_dtype": "fp8",
    "devices": 8, "tp": 1, "pp": 1, "dataset": ORCA}


@pytest.fixture(scope="module")
def datasets(catalogs) -> Datasets:
    return Datasets.of(catalogs.workloads, catalogs.models)


def test_a_known_dataset_sets_the_lengths_from_the_catalog(catalogs, datasets):
    """The alias resolves to mlperf-llama2-70b-openorca; its means (222.33 in, 294.45 out) set the lengths,
    rounded: 222 prompt and 294 generated tokens per request, and its input spread (171.51) rides along."""
    spec, reason = measurement_spec(ROW, datasets)
    assert reason is None and spec["axes"]["dataset"] == ["mlperf-llama2-70b-openorca"]
    assert "prompt_len" not in spec["axes"] and "overrides" not in spec
    got = lengths(catalogs, parse_spec(spec, "test")).row(0, named=True)
    assert (got["prompt_len"], got["output_len"], got["input_tokens_std"]) == (222, 294, 171.51)


def test_work_per_request_takes_the_runs_own_generated_length(catalogs, datasets):
    """An MLPerf row states the tokens its run generated per sample (TOKENS_PER_SAMPLE 274): that replaces the
    reference mean, the prompt stays the dataset's. Work per request by hand: 222 + 274 = 496 tokens, each a
    forward pass over the weights, so 2 x 69e9 parameters x 496 = 6.8e13 FLOP of matmuls."""
    spec, reason = measurement_spec(ROW | {"output_len": 274}, datasets)
    assert reason is None and spec["overrides"] == {"workloads.output_tokens_mean": "274 tok"}
    parsed = parse_spec(spec, "test")
    got = lengths(overrides.apply(catalogs, parsed.overrides), parsed).row(0, named=True)
    assert (got["prompt_len"], got["output_len"]) == (222, 274)
    assert 2 * 69e9 * (got["prompt_len"] + got["output_len"]) == pytest.approx(6.845e13, rel=1e-3)


def test_rows_that_state_both_lengths_keep_them(datasets):
    spec, reason = measurement_spec(ROW | {"prompt_len": 128, "output_len": 64, "dataset": "anything"}, datasets)
    assert reason is None and (spec["axes"]["prompt_len"], spec["axes"]["output_len"]) == ([128], [64])


def test_an_unknown_dataset_is_named_in_the_reason(datasets):
    spec, reason = measurement_spec(ROW | {"dataset": "OpenOrca-ish"}, datasets)
    assert spec is None
    assert reason == ("dataset 'OpenOrca-ish' is not a workloads catalog name or alias (registry_data/"
                      "workloads.parquet: name, aliases), and the row does not state both prompt_len and output_len")


def test_an_unpublished_mean_and_a_missing_dataset_say_so(datasets):
    gptj = ROW | {"model": "GPT-J 6B", "dataset": "CNN-DailyMail"}
    assert measurement_spec(gptj, datasets)[1] == (
        "dataset 'CNN-DailyMail' (workloads catalog 'mlperf-gptj-cnndm'): its input_tokens_mean and "
        "output_tokens_mean is not published by the dataset's sources, and the row does not state it")
    assert measurement_spec(ROW | {"dataset": None, "prompt_len": 2000}, datasets)[1] == (
        "serving rows need prompt_len and output_len, or a dataset the workloads catalog names; the row lacks "
        "output_len and names no dataset")


def test_ep_that_does_not_divide_the_experts_is_refused(datasets):
    """DeepSeek's decode units: EP144 over 256 routed experts needs redundant copies (32 in the overview):
    a row that does not state them is refused, one that states 32 runs at them."""
    row = ROW | {"model": "DeepSeek-V3", "devices": 144, "ep": 144, "dataset": None}
    assert measurement_spec(row, datasets)[1] == (
        "ep 144 does not divide the model's 256 routed experts + 0 redundant: the row does not state the redundant "
        "expert slots its run placed (EPLB)")
    spec, reason = measurement_spec(row | {"redundant_experts": 32, "prompt_len": 4989, "output_len": 1}, datasets)
    assert reason is None and spec["axes"]["redundant_experts"] == [32]


def test_an_alias_naming_two_workloads_is_an_error(catalogs):
    frame = catalogs.workloads.with_columns(aliases=pl.lit(ORCA))
    with pytest.raises(InputError) as exc:
        Datasets.of(frame)
    assert "catalog 'workloads'" in str(exc.value) and exc.value.problems[0].column == "aliases"
    assert "names both 'mlperf-llama2-70b-openorca' and this row" in exc.value.problems[0].message


def test_unstated_tp_is_a_grid_of_the_layouts_the_devices_hold(datasets):
    """72 GPUs: tp 1, 2, 4, 8 (72, 36, 18, 9 replicas: an NVL72 at TP1 is 72 of them). Under a request rate each
    tp carries its own replica count (8 GPUs: 8, 4, 2, 1)."""
    assert tp_grid(72, 1) == [1, 2, 4, 8]
    row = ROW | {"tp": None, "metric": "ttft_s", "scenario": "server", "request_rate": 10.0}
    spec, reason = measurement_spec(row, datasets)
    assert reason is None
    assert (spec["axes"]["tp"], spec["axes"]["replicas"]) == ([1, 2, 4, 8], [8, 4, 2, 1])


def test_the_peers_tools_get_the_datasets_fixed_lengths(datasets):
    """The peer tools take fixed lengths: a row naming OpenOrca gets its means rounded (222.33 -> 222 prompt,
    294.45 -> 294 output), and a length the row states (its run's 274 generated tokens) replaces the mean."""
    from pipeline.validation.peers.adapters import dataset_lengths

    for stated, output in ((None, 294), (274, 274)):
        spec, _ = measurement_spec(ROW | {"output_len": stated}, datasets)
        assert dataset_lengths(spec, datasets) == {"prompt_len": [222], "output_len": [output]}


def test_a_row_whose_decode_reads_kv_per_query_head_runs_with_the_knob_as_a_variant_of_its_group(datasets):
    """r-tpsdev: TensorRT-LLM 0.6.1's Llama 2 70B rows state kv_read_per_query_head; their spec carries the serving
    knob, a hardware-side column: they share the group of the same axes without it, as hardware rows of their own
    (``shared_space.variant``)."""
    stated = ROW | {"metric": "tokens_per_s_per_device", "batch": 64, "prompt_len": 2048, "output_len": 2048,
                    "tp": 2, "devices": 2, "dataset": None}
    flagged, reason = measurement_spec(stated | {"kv_read_per_query_head": True}, datasets)
    plain, _ = measurement_spec(stated, datasets)
    assert reason is None and flagged["serving"] == {"kv_read_per_query_head": True} and "serving" not in plain
    assert parse_spec(flagged, "test").serving.kv_read_per_query_head
    assert group_key(flagged) == group_key(plain) and variant(flagged) != variant(plain)


def test_a_row_whose_engine_runs_several_steps_per_scheduler_call_carries_the_knob(datasets):
    """r-ttft: a row stating scheduler_steps > 1 (AMD's v5.1 vLLM harness, num_scheduler_steps 9) runs with the
    serving knob, a variant of its group (its own hardware rows); 1 or null is the default and adds nothing."""
    stated = ROW | {"metric": "ttft_s", "request_rate": 10.0, "tp": 1, "devices": 8}
    nine, reason = measurement_spec(stated | {"scheduler_steps": 9}, datasets)
    one, _ = measurement_spec(stated | {"scheduler_steps": 1}, datasets)
    plain, _ = measurement_spec(stated, datasets)
    assert reason is None and nine["serving"] == {"scheduler_steps": 9} and "serving" not in one
    assert parse_spec(nine, "test").serving.scheduler_steps == 9 and group_key(nine) == group_key(plain)
    assert variant(nine) != variant(plain) == variant(one)


def test_the_catalog_states_the_multi_step_runs_of_amds_harness(catalogs):
    """Seven v5.1 runs x (tokens/s, TTFT P50, TPOT mean), each citing its harness yaml (registry_data/research/r-ttft):
    MI300X / MI325X, vLLM num_scheduler_steps 8-10; AMD's MI325X Llama 2 70B Interactive run (1) is not among them."""
    later = pl.col("notes").str.contains("MLPerf Inference v5.1 closed datacenter (", literal=True)  # r-v50b's
    offline = pl.col("scenario") == "offline"  # r-amdcfg's AMD Offline rows (offline_<gpu>.yaml: 11 and 7 steps)
    v60 = pl.col("name").str.starts_with("mlperf-inf-v6.0-")  # r-ttftmap's AMD patch hold: 6 Interactive runs, 7
    held = catalogs.measurements.filter(pl.col("scheduler_steps").is_not_null() & v60)
    assert held.height == 18 and set(held["scheduler_steps"]) == {7} and held["name"].str.contains("interactive").all()
    steps = catalogs.measurements.filter(pl.col("scheduler_steps").is_not_null() & ~later & ~offline & ~v60)
    assert steps.height == 21 and set(steps["scheduler_steps"]) == {8, 9, 10}
    assert steps["hardware"].str.starts_with("MI3").all()
    assert steps["notes"].str.contains("[scheduler_steps = ", literal=True).all()
    assert not steps["name"].str.contains("mi325x-2xepyc-9575f-2").any()


def test_the_catalog_flags_the_gqa_rows_of_tensorrt_llm_0_6_1(catalogs):
    """Exactly the Llama 2 70B rows of the v0.6.1 H100 table (GQA); its GPT-J and Llama 2 7B rows are multi-head."""
    m = catalogs.measurements
    flagged = m.filter(pl.col("kv_read_per_query_head").fill_null(False))
    assert flagged.height == 4 and set(flagged["model"]) == {"Llama 2 70B"}
    assert flagged["name"].str.starts_with("trtllm-0.6.1-h100-fp8-llama-2-70b").all()


def test_an_unstable_rate_below_capacity_delivers_no_more_than_arrives():
    """By hand, eight replicas, 144 output tokens a request, 420 req/s offered (Mixtral on MI325X, r-mixamd): wall 7
    calls the rate unstable (means null) though its capacity, 55 req/s a replica, is above the 52.5 offered (its
    prefill share λ τ_p >= 1); the replicas serve at most what arrives, 420 x 144 = 60,480 tok/s, not their capacity
    55 x 144 x 8 = 63,360 (nor the batch's 8,400 x 8 = 67,200). A rate above the capacity (500 req/s) still delivers
    the capacity, 63,360."""
    from pipeline.validation.serving_rows import delivered_tokens_per_s

    frame = pl.DataFrame({"request_rate": [420.0, 500.0], "output_len": [144, 144], "requests": [None, None],
                          "ttft_mean_s": [None, None], "tpot_under_load_s": [None, None], "is_feasible": [True, True],
                          "batch_tokens_per_s": [8400.0, 8400.0], "capacity_requests_per_s": [55.0, 55.0]})
    got = frame.select(delivered_tokens_per_s(pl.lit(8.0)))[:, 0].to_list()
    assert got == pytest.approx([60_480.0, 63_360.0])
