"""Every knob of every table is range-checked and a bad value names its key path.

The ranges are the ones the bundled specs' comments and the walls state (η in (0, 1], shares of
memory in [0, 1), ZeRO 0-3, the DP-SGD methods of wall 20 ...), written here, not read from the code.
"""

from __future__ import annotations

import dataclasses

import pytest

from pipeline.errors import InputError
from pipeline.spec import Analysis, Data, Efficiency, Operations, Output, Serving, Software, Training, parse_spec

NAN, INF = float("nan"), float("inf")
POSITIVE_INT = ([1, 64], [0, -1, 1.5, NAN, "8", True, [8]], "an integer > 0")
POSITIVE = ([1e-9, 5], [0, -1, NAN, INF, "1", True], "a number > 0")
ETA = ([0.01, 1.0], [0, -0.2, 1.5, NAN, "0.5", True], "a number > 0 and <= 1.0")
SHARE = ([0, 0.5], [1, -0.1, NAN, "0.1", True], "a number in [0, 1)")
CLOSED_SHARE = ([0, 1], [1.01, -0.1, NAN, "0", True], "a number in [0, 1]")
NON_NEGATIVE = ([0, 2.5], [-1, NAN, INF, "1", True], "a number >= 0")
FLAG = ([True, False], [0, 1, "true", 1.0], "true or false")
CATALOG_NAME = (["x"], ["", 3, True, ["x"]], "a catalog name")

# (study, key path, good values, bad values, what the message expects)
SETTINGS = [
    ("node", "efficiency.framework", ["Megatron-LM"], ["", 3, True], "a name"),
    ("node", "efficiency.eta_compute", *ETA),
    ("serving", "efficiency.compute_model", ["kernel", "profile"], ["gemm", 3, True], "one of kernel, profile"),
    ("serving", "efficiency.eta_memory", *ETA),
    ("serving", "efficiency.eta_link", *ETA),
    ("training", "efficiency.eta_link", *ETA),
    ("node", "efficiency.attention_kernel", ["FlashAttention-2"], ["", 3, True], "a name"),
    ("node", "software.kernels_per_transformer_layer", *POSITIVE_INT),
    ("node", "software.kernels_per_cnn_layer", *POSITIVE_INT),
    ("node", "software.launch_overhead_per_kernel_s", *POSITIVE),
    ("serving", "serving.memory_fraction", *ETA),  # vLLM's gpu_memory_utilization in (0, 1] (issue 12)
    ("serving", "serving.kv_block_tokens", *POSITIVE_INT),
    ("serving", "serving.weight_streaming", *FLAG),
    ("serving", "serving.dequant_overhead_fraction", [0, 10], [10.5, -0.1, NAN, True], "a number in [0, 10]"),
    ("serving", "serving.prefill_chunk_tokens", *POSITIVE_INT),
    # busiest EP rank's max/mean expert load: 1 is perfect balance (pipeline.walls.expert_parallel)
    ("serving", "serving.expert_imbalance", [1, 1.18, 64], [0.99, 0, 65, NAN, True], "a number in [1, 64]"),
    ("serving", "serving.expert_imbalance_redundant", [1, 1.109, 64], [0.99, 65, NAN], "a number in [1, 64]"),
    ("serving", "serving.dual_batch_overlap", *FLAG),
    ("serving", "serving.attention_dp_unaligned", *FLAG),
    ("serving", "serving.kv_read_per_query_head", *FLAG),
    ("serving", "serving.scheduler_steps", [1, 9, 64], [0, 1.5, NAN, "8", True], "an integer > 0"),
    ("serving", "serving.weight_effective_bits", [None, 7.25, 8.75, 32], [0, -1, 33, NAN, True],
     "a number > 0 and <= 32"),
    ("training", "training.dp_overlap_fraction", *CLOSED_SHARE),
    ("training", "training.memory_reserve_fraction", *SHARE),
    ("training", "training.memory_reserve", ["physical", "fraction"], ["flat", "", 0, True],
     "one of physical, fraction"),
    ("training", "training.allocator", ["caching", "expandable_segments"], ["cuda", "", 0, True],
     "one of caching, expandable_segments"),
    ("training", "training.flash_attention", *FLAG),
    ("training", "training.dropout", *FLAG),
    ("training", "training.gradient_accumulation_fusion", *FLAG),
    ("training", "training.lm_head_on_last_stage", *FLAG),
    ("training", "training.mtp_layers", [0, 1, 3], [-1, 1.5, "1", True], "an integer >= 0"),
    ("training", "training.fp8_params", *FLAG),
    ("training", "training.fp4_params", *FLAG),
    ("training", "training.fp8_dot_product_attention", *FLAG),
    ("training", "training.activation_func_fp8_input_store", *FLAG),
    ("training", "training.cpu_offloading_num_layers", [0, 40], [-1, 1.5, "1", True], "an integer >= 0"),
    ("training", "training.cross_entropy_loss_fusion", *FLAG),
    ("training", "training.embedding_and_loss_in_pipeline_split", *FLAG),
    ("training", "training.dp_sgd", ["none", "book-keeping", "opacus"], ["ghost", "", 0, True],
     "one of none, book-keeping, opacus"),  # wall 20's methods
    ("training", "training.gradient_bytes_per_param", [1, 8.0], [0, 8.5, -2, NAN, True], "a number > 0 and <= 8.0"),
    ("training", "training.pp_balance_tolerance", *CLOSED_SHARE),
    ("training", "training.tp_across_domains", *FLAG),
    ("training", "training.train_tokens", *POSITIVE),
    ("training", "training.restart_time_s", [0, 600], [-1, NAN, INF, "60", True], "a number of seconds >= 0"),
    ("training", "training.storage", *CATALOG_NAME),
    ("training", "training.data_pipeline", *CATALOG_NAME),
    ("training", "training.host_cores_per_node", *POSITIVE_INT),
    ("node", "data.storage", *CATALOG_NAME),
    ("node", "data.data_pipeline", *CATALOG_NAME),
    ("node", "data.host_cores_per_node", *POSITIVE_INT),
    ("node", "data.accelerators_per_node", *POSITIVE_INT),
    ("node", "data.devices", *POSITIVE_INT),
    ("node", "data.cluster", *CATALOG_NAME),
    ("node", "data.optimizer_sharded", *FLAG),
    ("node", "operations.pricing", ["on-demand", "reserved-1y", "reserved-3y", "spot"], ["hourly", "", 1],
     "one of on-demand, reserved-1y, reserved-3y, spot"),
    ("node", "operations.cloud", ["any", "AWS"], ["", 3, True], 'a provider name or "any"'),
    ("node", "operations.service_life_years", *POSITIVE),
    ("node", "operations.depreciation_years", *POSITIVE),
    ("node", "operations.maintenance_fraction_per_year", *NON_NEGATIVE),
    ("node", "operations.facility_capex_multiplier", *NON_NEGATIVE),
    ("node", "operations.tco_horizon_years", *POSITIVE),
    ("node", "operations.shared_utilization", *SHARE),
    ("node", "operations.service_time_cv", *NON_NEGATIVE),
    ("node", "analysis.synthesis_target_fraction", *POSITIVE),
    ("node", "output.dir", ["outputs", "/tmp/x"], ["", 3, True], "a directory"),
    ("node", "output.compression", ["lz4", "zstd", "snappy", "uncompressed"], ["gzip", "", 1],
     "one of lz4, zstd, snappy, uncompressed"),
]
CASES = [(study, key, bad, what) for study, key, _, bads, what in SETTINGS for bad in bads]


def spec_with(study: str, key: str, value) -> dict:
    table, name = key.split(".")
    return {"study": study, table: {name: value}}


def problems(raw: dict) -> dict[str, str]:
    with pytest.raises(InputError) as exc:
        parse_spec(raw)
    return {p.column: p.message for p in exc.value.problems}


@pytest.mark.parametrize("study, key, bad, what", CASES, ids=[f"{k}={b!r}" for _, k, b, _ in CASES])
def test_a_bad_value_names_its_key_and_the_range(study, key, bad, what):
    assert problems(spec_with(study, key, bad)) == {key: f"got {bad!r}, expected {what}"}


@pytest.mark.parametrize("study, key, good", [(s, k, g) for s, k, goods, _, _ in SETTINGS for g in goods])
def test_a_good_value_is_kept(study, key, good):
    spec = parse_spec(spec_with(study, key, good))
    table, name = key.split(".")
    section = "data" if table == "training" and name in ("storage", "data_pipeline", "host_cores_per_node") \
        else table
    assert getattr(getattr(spec, section), name) == good


def test_every_setting_is_listed_above():
    listed = {key.split(".", 1)[1] for _, key, *_ in SETTINGS}
    for section in (Efficiency, Software, Serving, Training, Data, Operations, Analysis, Output):
        assert {f.name for f in dataclasses.fields(section)} <= listed, section.__name__


@pytest.mark.parametrize("study, table", [("node", "efficiency"), ("node", "software"), ("serving", "serving"),
                                          ("training", "training"), ("node", "data"), ("node", "operations"),
                                          ("node", "analysis"), ("node", "output"), ("node", "filters")])
def test_an_unknown_key_is_named_with_the_known_ones(study, table):
    found = problems({"study": study, table: {"colour": 1}})
    assert list(found) == [f"{table}.colour"]
    assert found[f"{table}.colour"].startswith("unknown key; expected one of ")


@pytest.mark.parametrize("study, key", [("training", "efficiency.eta_memory"), ("node", "efficiency.eta_memory"),
                                        ("node", "efficiency.eta_link")])
def test_an_eta_the_study_does_not_use_is_an_unknown_key(study, key):
    found = problems(spec_with(study, key, 0.5))
    assert list(found) == [key] and found[key].startswith("unknown key; expected one of framework, eta_compute")


def test_the_defaults_are_the_documented_ones():
    """The bundled specs' comments: no serving memory_fraction override (the framework's own, issue 12),
    a 10 % training reserve, 16-token KV blocks
    (vLLM), 30 % dequantization, 11 kernels per transformer block, the framework's launch cost and
    chunked-prefill size (None: the efficiency profiles', issue 12), 112 host cores
    (DGX H100: 2 x 56), bf16 gradients (2 B), Chinchilla tokens (None), zstd output."""
    spec = parse_spec({})
    assert spec.serving == Serving(None, 16, False, 0.30, None)
    assert spec.software == Software(11, 1, None)
    assert spec.data == Data(None, None, 112, 8)
    assert spec.training.gradient_bytes_per_param == 2.0 and spec.training.train_tokens is None
    assert spec.training.dp_sgd == "none" and spec.training.memory_reserve_fraction == 0.10
    assert (spec.training.memory_reserve, spec.training.allocator) == ("physical", "caching")
    assert spec.output == Output("outputs", "zstd")
    assert spec.analysis.synthesis_target_fraction == 0.8


def test_training_reads_the_input_pipeline_from_its_own_table():
    spec = parse_spec({"study": "training", "training": {"storage": "s3", "host_cores_per_node": 64}})
    assert spec.data.storage == "s3" and spec.data.host_cores_per_node == 64
    assert spec.as_dict()["training"]["storage"] == "s3"  # the manifest records it under [training]


@pytest.mark.parametrize("filters, key, message", [
    ({"hardware": {"colour": ["red"]}}, "filters.hardware.colour",
     "unknown filter column; expected one of vendor, family, category, name"),
    ({"model": {"family": [3]}}, "filters.model.family[0]", "got 3, expected a name"),
    ({"model": 3}, "filters.model", "got 3, expected a table of column = [values]"),
])
def test_bad_filters_are_named(filters, key, message):
    assert problems({"filters": filters}) == {key: message}


def test_filters_keep_the_listed_values_and_drop_empty_lists():
    spec = parse_spec({"filters": {"hardware": {"vendor": ["NVIDIA", "AMD"], "family": []},
                                   "model": {"model_type": "decoder"}}})
    assert spec.filters.hardware == {"vendor": ("NVIDIA", "AMD")}
    assert spec.filters.model == {"model_type": ("decoder",)}


def test_the_node_studys_data_parallel_settings_enter_the_manifest_off_their_defaults():
    """[data] devices, cluster and optimizer_sharded (walls/node_data_parallel) change a node run's predictions, so
    its run id hashes them; at the one-device default the manifest is what it was before them."""
    plain = parse_spec({"study": "node"}, "t").as_dict()
    assert "data_parallel" not in plain
    spread = parse_spec({"study": "node", "data": {"devices": 64, "optimizer_sharded": True}}, "t").as_dict()
    assert spread["data_parallel"] == {"devices": 64, "cluster": None, "optimizer_sharded": True}
    assert {k: v for k, v in spread.items() if k != "data_parallel"} == plain
