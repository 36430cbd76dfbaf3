"""The serving study's model-only columns, computed once per model-side row (``serving_precomputed``)."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import per_key, serving
from pipeline.studies import serving_precomputed as precomputed
from pipeline.studies.serving_precomputed import depends_on, joined, rebindable, split
from pipeline.studies.sides import Space

L70, H100 = "Llama 2 70B", "H100 SXM5 80GB"


def _double(x):
    return x * 2


def _plus(a, y):
    return a + y


def _same(y):
    return y


TOY = {"a": _double, "b": _plus, "c": _same}  # a(x), b(a, y), c(y)


def test_depends_on_follows_formulas_through_other_formulas():
    assert depends_on(TOY, ["x"]) == {"a", "b"}
    assert depends_on(TOY, ["y"]) == {"b", "c"}
    assert depends_on(TOY, ["a"]) == {"b"}


def test_a_rebound_pass_drops_the_columns_computed_from_the_rebound_input():
    units = dict.fromkeys(["x", "y", "a", "b", "c"])
    assert set(rebindable(units, ["x"], TOY)) == {"x", "y", "c"}
    assert set(rebindable(units, ["a"], TOY)) == {"x", "y", "a", "c"}  # a rebound input is kept, read from elsewhere


@pytest.fixture(scope="module")
def space():
    return serving.build_space(load_catalogs(), parse_spec({"study": "serving", "axes": {
        "model": [L70], "hardware": [H100], "precision": ["fp16"], "tp": [4], "pp": [2], "batch": [8],
        "prompt_len": [512], "output_len": [128], "request_rate": [2.0]}}))


def test_the_model_side_holds_the_layout_and_token_columns(space):
    """Llama 2 70B (80 layers) on tp 4 x pp 2, batch 8: 8 devices a replica, 40 layers a stage, a decode
    microbatch of ceil(8 / 2) = 4 sequences (one token each), 8 x 512 tokens a prefill (no prefix cache)."""
    row = space.model_side.row(0, named=True)
    assert row["devices_per_replica"] == 8
    assert row["layers_per_stage"] == 40
    assert row["decode_tokens"] == 4
    assert row["prefill_tokens"] == 8 * 512


def test_no_hardware_column_is_computed_on_the_model_side(space):
    """A column of the hardware side (a knob such as step_multiplier, also a formula) stays the hardware's."""
    assert not set(space.model_side.columns) & (set(space.hardware_side.columns) - {"workload"})


def test_a_batch_pass_recomputes_the_batch_columns_and_keeps_the_others(space):
    units = rebindable(space.units, ["batch"], serving.FORMULAS)
    assert "decode_tokens" not in units and "prefill_tokens" not in units
    assert {"layers_per_stage", "devices_per_replica", "batch", "n_layers"} <= set(units)


def test_the_rows_equal_a_plan_without_precomputed_columns(space):
    """The joined rows read the precomputed columns, and wall 7's passes at other batches recompute those that
    depend on the batch: the same values as computing every column per row."""
    raw = [c for c in space.model_side.columns if c not in serving.FORMULAS or c in serving.SHAPED]
    bare = type(space)(space.hardware_side, space.model_side.select(raw), {
        c: u for c, u in space.units.items() if c in raw or c not in space.model_side.columns},
        space.dropped, space.row_filter, space.row_count)
    got, want = (serving.build(s).frame.collect() for s in (space, bare))
    assert got.equals(want)
    assert got["itl_s"].item() > 0


class _Listed(Space):
    """A space with its own ``frame`` (as validation's listed configurations): the plain joined frame."""

    def frame(self, hardware_side=None):
        return super().frame(hardware_side)


@pytest.mark.parametrize("rate", [None, 4.0])
def test_length_free_columns_gathered_into_every_row_equal_the_per_row_values(rate):
    """Two layouts x two batches x two prompt and two answer lengths: the columns that read no length
    (per-device weights, the decode GEMMs' shapes and η) are computed once per hardware x length-free
    model row, 4 rows of each; every output equals the plan that computes them per row, wall 7's passes
    at other batches included (they recompute the batch-dependent ones)."""
    space = serving.build_space(load_catalogs(), parse_spec({"study": "serving", "axes": {
        "model": [L70], "hardware": [H100, "A100 SXM4 80GB"], "precision": ["fp16"], "tp": [4, 8], "pp": [1],
        "batch": [1, 32], "prompt_len": [512, 2048], "output_len": [128, 256]}
        | ({} if rate is None else {"request_rate": [rate]})}))
    parts = split(space, serving.OUTPUTS, serving.FORMULAS)
    assert "weights_per_device_bytes" in parts.columns and not {"prompt_len", "output_len"} & set(parts.keys)
    frame, units = joined(space, None, serving.OUTPUTS, serving.FORMULAS)
    assert set(parts.columns) <= set(units)
    plain = _Listed(space.hardware_side, space.model_side, space.units, space.dropped, space.row_filter,
                    space.row_count)
    got, want = (serving.build(s).frame.collect() for s in (space, plain))
    assert got.height == 2 * 2 * 2 * 2 * 2  # hardware x tp x batch x prompt x answer
    assert got.equals(want)


def test_an_operators_roofline_is_gathered_from_the_rows_of_the_columns_it_reads():
    """``serving.SHARED``: the prefill MLP's time reads the tokens of a pass (batch x prompt), not the answer
    length or pp, nor does its TP all-reduce: 2 x 2 x 2 x 2 x 2 model rows, 4 distinct tokens x 2 tp for the
    prefill MLP (not length-free: the split leaves them per row). They come in as inputs and every output
    equals the plan that computes them per row."""
    space = serving.build_space(load_catalogs(), parse_spec({"study": "serving", "axes": {
        "model": [L70], "hardware": [H100], "precision": ["fp16"], "tp": [4, 8], "pp": [1, 2],
        "batch": [1, 32], "prompt_len": [512, 2048], "output_len": [128, 256]}}))
    _, plain_units = joined(space, None, serving.OUTPUTS, serving.FORMULAS)
    _, units = joined(space, None, serving.OUTPUTS, serving.FORMULAS, serving.SHARED)
    shared = {"prefill_mlp_time_s", "prefill_mlp_is_compute_bound", "prefill_tp_comm_time_s"}
    assert shared <= set(units) and not shared & set(plain_units)
    plain = _Listed(space.hardware_side, space.model_side, space.units, space.dropped, space.row_filter,
                    space.row_count)
    got, want = (serving.build(s).frame.collect() for s in (space, plain))
    assert got.height == 2 ** 5
    assert got.equals(want)


def _per_batch(a, batch):
    return a * batch


def test_batch_free_adds_once_the_columns_that_read_neither_the_batch_nor_a_column_written_later():
    """a = 2x reads neither; b = a + y reads y, which the caller writes again; d = a x batch reads the batch."""
    import polars as pl

    from pipeline.studies.serving_precomputed import batch_free
    from pipeline.units import unit

    toy = {"a": _double, "b": _plus, "d": _per_batch}
    units = dict.fromkeys(["x", "y", "batch"], unit(""))
    frame, got = batch_free(pl.LazyFrame({"x": [1.5], "y": [2.0], "batch": [4.0]}), units, toy, written=["y"],
                            wanted=["b", "d"])
    assert set(got) == {"x", "y", "batch", "a"}
    assert frame.collect().to_dicts() == [{"x": 1.5, "y": 2.0, "batch": 4.0, "a": 3.0}]


def test_a_loaded_plan_reads_the_batch_free_columns_once_and_gives_the_same_rows(space, monkeypatch):
    """Wall 7's passes at other batches read the batch-free columns (a layer's weight bytes) added once, never a
    batch column (the decode tokens): the same rows as recomputing them in every pass."""
    from pipeline.studies import serving_precomputed

    frame, units = serving.inputs(space)
    assert "weight_bytes_per_param" in units and "decode_tokens" not in units
    got = serving.build(space).frame.collect()
    monkeypatch.setattr(serving_precomputed, "batch_free", lambda frame, units, *_: (frame, units))
    assert "weight_bytes_per_param" not in serving.inputs(space)[1]
    want = serving.build(space).frame.collect()
    assert got.equals(want)
    assert got["ttft_mean_s"].item() > 0


def test_the_memory_attention_lora_and_alltoall_groups_are_gathered_and_give_the_rows_of_the_per_row_plan():
    """Issue 15 (serving sweep speed): ``serving.SHARED`` also gathers the KV and activation bytes, decode
    attention's η, FLOPs and bytes, the prefill LoRA kernels and EP all-to-alls (Mixtral 8x7B at ep 1 and 8,
    LoRA rank 16 x 4 adapters, on three accelerators). Decode attention's roofline reads the batch and the context
    on every hardware row: its table would not share (as at the bench spec's nine batch sizes), its η and FLOPs
    still come in as inputs. Every output equals the plan that computes them per row, and the model side is one
    chunk a column (the join gathers from it)."""
    space = serving.build_space(load_catalogs(), parse_spec({"study": "serving", "axes": {
        "model": ["Mixtral 8x7B"], "hardware": [H100, "H200 SXM 141GB", "A100 SXM4 80GB"], "precision": ["fp16"],
        "tp": [1, 8], "ep": [1, 8], "batch": [1, 32], "prompt_len": [512, 2048], "output_len": [128, 256],
        "lora_rank": [16], "lora_adapters": [4]}}))
    assert set(space.model_side.n_chunks("all")) == {1}
    _, units = joined(space, None, serving.OUTPUTS, serving.FORMULAS, serving.SHARED)
    gathered = {"kv_cache_bytes_per_device", "activation_bytes_per_device", "decode_attention_eta_compute",
                "decode_attention_flop", "decode_attention_bytes", "prefill_lora_time_s", "prefill_alltoall_time_s"}
    assert gathered <= set(units) and "decode_attention_time_s" not in units
    plain = _Listed(space.hardware_side, space.model_side, space.units, space.dropped, space.row_filter,
                    space.row_count)
    got, want = (serving.build(s).frame.collect() for s in (space, plain))
    assert got.height == space.row_count > 0
    assert got["prefill_alltoall_time_s"].gt(0).any() and got["prefill_lora_time_s"].gt(0).all()
    assert got.equals(want)


def test_the_elasticities_and_batch_limits_read_their_fewer_axis_terms_from_tables_and_give_the_per_row_values():
    """Issue 15 (serving compute): the terms of the elasticities and of max_batch_* that read no length (the link's
    beta part, a 16-bit LM head's time, the scale-out alpha of the stage boundaries, the dequantization's moving
    part, a sequence's static KV bytes), no batch (its paged KV bytes) or only decode attention's roofline keys (its
    moving parts) are named columns computed on their tables and gathered, not per row. Two weight dtypes on the
    hardware side (attention's roofline does not read them: its table shares), a quantized one among them; every
    output equals the plan that computes them per row."""
    space = serving.build_space(load_catalogs(), parse_spec({"study": "serving", "axes": {
        "model": ["Llama 3 8B", "Mixtral 8x7B"], "hardware": [H100, "A100 SXM4 80GB"], "compute_dtype": ["fp16"],
        "weight_dtype": ["fp16", "int8"], "kv_dtype": ["fp16"], "tp": [1, 2], "pp": [1, 2], "batch": [1, 32],
        "prompt_len": [512, 2048], "output_len": [128, 256]}}))
    _, units = joined(space, None, serving.OUTPUTS, serving.FORMULAS, serving.SHARED)
    fewer = {"decode_link_beta_time_s", "decode_peak_rest_time_s", "decode_pass_rest_batch_moving_time_s",
             "kv_bytes_per_static_sequence", "kv_bytes_per_paged_sequence",
             "decode_attention_batch_moving_time_s", "decode_attention_context_moving_time_s"}
    assert fewer <= set(units)
    assert "decode_batch_share" in space.model_side.columns  # batch / pp / sequences: once per model row
    plain = _Listed(space.hardware_side, space.model_side, space.units, space.dropped, space.row_filter,
                    space.row_count)
    got, want = (serving.build(s).frame.collect() for s in (space, plain))
    assert got.height == space.row_count > 0
    assert got["elasticity_batch"].is_not_null().any() and got["decode_dequant_overhead_s"].gt(0).any()
    assert got.equals(want)


def test_the_columns_only_query_time_columns_read_are_gathered_apart_and_left_out_of_the_written_plan():
    """Issue 15 (serving sweep speed): a run writes no ``QUERY_TIME`` column, so the per-key columns only those read
    (the compression ratio, the weights' bytes a parameter) are gathered apart, and a plan of the written columns
    gathers none of them (the struct of them named after the first); the columns written read the others."""
    space = serving.build_space(load_catalogs(), parse_spec({"study": "serving", "axes": {
        "model": [L70], "hardware": [H100, "A100 SXM4 80GB"], "precision": ["fp16"], "tp": [4, 8], "pp": [1],
        "batch": [1, 32], "prompt_len": [512, 2048], "output_len": [128, 256]}}))
    written = serving._written(space)
    groups = precomputed.groups(space, serving._computed(space), serving.FORMULAS, serving.SHARED, written)
    apart = {c for g in groups for c in g.apart}
    assert {"compression_ratio", "weight_bytes_per_param"} <= apart
    assert not {"decode_qkv_proj_time_s", "weights_per_device_bytes"} & apart
    frame = serving.build(space).frame  # decode attention's own tables are not shared here: a plan of it reads more
    plan = frame.select("ttft_s", "prefill_mlp_class_time_s", "is_feasible").explain()
    assert "prefill_mlp_gemm_time_s" in plan
    assert "compression_ratio" not in plan and "weight_bytes_per_param" not in plan
    assert "compression_ratio" in frame.select("compression_ratio").explain()


def test_a_groups_gemm_etas_come_from_their_own_tables_and_give_the_rows_of_the_plan_without_them(monkeypatch):
    """Issue 15 (serving speed): a group whose columns pass through a GEMM's η (the prefill QKV projection's time)
    computes it on the pairs of the η's own keys and reads it as an input (``per_key.Group.inner``): the QKV's priced η
    (``walls.mixed_precision``: the 16-bit fit's where MLA's projections stay 16-bit, else the QKV's own), on the
    kernel fits, the weight bytes and M, N, K (the 23 keys of the QKV's time: none of its bandwidths, latencies or
    peaks); the other GEMMs' η on the kernel fit and M, N, K (one class for the H100's weight dtypes fp16 and int8,
    whose bytes differ). Every output equals the plan without those tables and the plan that computes every term per
    row, bit for bit."""
    space = serving.build_space(load_catalogs(), parse_spec({"study": "serving", "axes": {
        "model": [L70], "hardware": [H100], "compute_dtype": ["fp16"], "weight_dtype": ["fp16", "int8"],
        "kv_dtype": ["fp16", "fp8"], "tp": [4, 8], "pp": [1], "batch": [1, 32], "prompt_len": [512, 2048],
        "output_len": [128, 256]}}))
    per_key.forget()
    groups = precomputed.groups(space, serving._computed(space), serving.FORMULAS, serving.SHARED,
                                serving._written(space))
    qkv = next(g for g in groups if g.columns[0] == "prefill_qkv_proj_time_s")
    assert [i.columns for i in qkv.inner] == [("prefill_qkv_proj_priced_eta_compute",)]
    priced = set(qkv.inner[0].hardware)
    assert priced < set(qkv.hardware) and not {"bytes_per_element", "memory_bandwidth_bytes_per_s"} & priced
    assert {"gemm_ceiling", "sixteen_bit_gemm_ceiling", "weight_bytes_per_element"} <= priced
    mlp = next(g for g in groups if g.columns[0] == "prefill_mlp_gemm_time_s")
    assert {i.columns for i in mlp.inner} == {("prefill_mlp_up_eta_compute",), ("prefill_mlp_down_eta_compute",)}
    assert [space.hardware_side.select(g.hardware).n_unique() for g in (qkv, mlp.inner[0])] == [2, 1]
    parts = [p for g in groups for p in g.parts if p.inner]
    assert {e for p in parts for i in p.inner for e in i.columns} >= {"decode_qkv_proj_priced_eta_compute",
                                                                      "decode_mlp_up_eta_compute"}
    got = serving.build(space).frame.collect()
    per_key.forget()
    monkeypatch.setattr(precomputed, "kernel_etas", lambda *_: [])
    assert not [g for g in precomputed.groups(space, serving._computed(space), serving.FORMULAS, serving.SHARED,
                                              serving._written(space)) if g.inner]
    without = serving.build(space).frame.collect()
    plain = _Listed(space.hardware_side, space.model_side, space.units, space.dropped, space.row_filter,
                    space.row_count)
    assert got.height == space.row_count == 64 and got["ttft_s"].gt(0).all()
    assert got.equals(without) and got.equals(serving.build(plain).frame.collect())
    per_key.forget()


def test_a_part_is_merged_into_a_larger_one_whose_classes_its_keys_do_not_split():
    """Issue 15 (serving speed): the length-free split's parts (``_merged``). Y's keys (g = h + 10, b = 2a) are fixed
    by X's (h; a, c): Y's 2 x 2 pairs join X's 2 x 4, whose classes their keys together do not split. Z's d splits
    X's model classes, and V's 1 x 1 pair is under half of any other's: both stay their own."""
    hardware = pl.DataFrame({"h": [0, 1, 0, 1], "e": [5, 5, 5, 5]}).with_columns(g=pl.col("h") + 10)
    model = pl.DataFrame({"a": [1, 1, 2, 2, 1], "b": [2, 2, 4, 4, 2], "c": [0, 1, 0, 1, 0], "d": [0, 1, 2, 3, 3]})
    space = Space(hardware, model, dict.fromkeys([*hardware.columns, *model.columns]))
    columns = ["X", "Y", "Z", "V"]
    keys = [{"h", "a", "c"}, {"g", "b"}, {"h", "d"}, {"e"}]
    per_key.forget()
    assert precomputed._merged(space, columns, keys, ["a", "b", "c", "d"]) == [["X", "Y"], ["Z"], ["V"]]
    hardware = hardware.with_columns(g=pl.Series([0, 1, 1, 0]))  # g no longer fixed by h: X's classes split
    space = Space(hardware, model, space.units)
    assert precomputed._merged(space, columns, keys, ["a", "b", "c", "d"]) == [["X"], ["Y"], ["Z"], ["V"]]
    per_key.forget()
