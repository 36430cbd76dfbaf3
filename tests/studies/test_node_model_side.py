"""The node study's model side, built a slice at a time (``node.MODEL_SLICE_ROWS``): the rows and columns of the
side built at once, every column chunked alike (polars copies a frame whose columns are chunked unlike whole on its
first operation: ~470 MB and ~0.7 s on the 300 M-row sweep's 1.2 M-row side)."""

from __future__ import annotations

from pipeline import runs
from pipeline.spec import parse_spec
from pipeline.studies import node

SPEC = {"axes": {"hardware": ["H100 SXM5 80GB"], "model": ["Llama 2 7B", "Gemma 2 9B", "ResNet-50"],
                 "compute_dtype": ["bf16"], "batch": [1, 8, 64], "seq_len": [512, 2048],
                 "workload": ["inference", "training"]}}


def test_a_model_side_built_in_slices_is_the_side_built_at_once_chunked_alike(monkeypatch):
    whole = runs.prepare(parse_spec(SPEC)).space.model_side
    monkeypatch.setattr(node, "MODEL_SLICE_ROWS", 7)
    sliced = runs.prepare(parse_spec(SPEC)).space.model_side
    assert whole.height > 7 * 3 and sliced.schema == whole.schema and sliced.equals(whole)
    # every column in the slices' chunks, constants (tp) too: none left a one-chunk scalar column
    assert {s.n_chunks() for s in sliced.get_columns()} == {-(-whole.height // 7)}


def test_the_model_side_takes_the_shaped_models_columns_by_row():
    side = runs.prepare(parse_spec(SPEC)).space.model_side
    gemma = side.filter(side["model"] == "Gemma 2 9B")
    assert gemma.height > 0 and set(gemma["sliding_window_tokens"].to_list()) == {4096.0}  # Gemma 2's window
    assert side.filter(side["model"] == "ResNet-50")["seq_len"].null_count() > 0
    assert node.SHAPED_ROW not in side.columns
