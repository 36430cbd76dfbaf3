"""The physical training reserve (pipeline.walls.training_reserve), each term by hand from its source:

- CUDA context 555 MiB = 581,959,680 B (llama.cpp#23604, cudaMemGetInfo with and without a context);
- NCCL 688 MB a communicator of a parallel dimension > 1 (nccl#964), 4.34 - 1.06 = 3.28 GB more under
  expert parallelism (nccl#1685, 8 H100s after the first all_to_all_single);
- fragmentation f = 1 - peak active / peak reserved (GMLake, GPT-NeoX-20B on 4 A100s): 1 - 0.96 = 4 %, the
  tensors held at 1 / 0.96, i.e. held / 24 more; ZeRO-3 with LoRA 1 - 0.79 = 21 % (caching allocator,
  held x 21 / 79 more) and 1 - 0.95 = 5 % (expandable segments, held / 19 more).
"""

from __future__ import annotations

import pytest

import pipeline
from pipeline.spec import parse_spec

DGX_H100 = "NVIDIA DGX SuperPOD DGX H100 (4 SU, 127 nodes)"
L7 = "Llama 2 7B"
CONTEXT = 555 * 2**20  # 581,959,680 B
NCCL = 688e6


def held(row: dict) -> float:
    return row["memory_per_gpu_bytes"] - row["memory_reserve_bytes"]


def test_one_gpu_holds_the_context_and_a_twenty_fourth_of_its_tensors():
    r = pipeline.evaluate_training(L7, DGX_H100, gpus=1, global_batch=8).row(0, named=True)
    assert r["memory_reserve_bytes"] == pytest.approx(581_959_680 + held(r) / 24, rel=1e-12)


@pytest.mark.parametrize(("layout", "groups"), [({"dp": 8}, 1), ({"dp": 2, "tp": 2, "pp": 2}, 3),
                                                ({"dp": 2, "tp": 2, "pp": 2, "cp": 2}, 4)])
def test_one_nccl_communicator_per_parallel_dimension(layout, groups):
    r = pipeline.evaluate_training(L7, DGX_H100, global_batch=64, seq_len=4096, **layout).row(0, named=True)
    assert r["memory_reserve_bytes"] == pytest.approx(CONTEXT + groups * NCCL + held(r) / 24, rel=1e-12)


def test_expert_parallelism_adds_the_all_to_all_buffers():
    r = pipeline.evaluate_training("Mixtral 8x7B", DGX_H100, dp=8, ep=8, global_batch=64).row(0, named=True)
    assert r["memory_reserve_bytes"] == pytest.approx(CONTEXT + NCCL + 3.28e9 + held(r) / 24, rel=1e-12)


@pytest.mark.parametrize(("allocator", "extra"), [("caching", 21 / 79), ("expandable_segments", 1 / 19)])
def test_zero3_with_lora_fragments_the_caching_allocator(allocator, extra):
    r = pipeline.evaluate_training(L7, DGX_H100, dp=8, global_batch=64, zero_stage=3, lora_rank=16,
                                   training={"allocator": allocator}).row(0, named=True)
    assert r["memory_reserve_bytes"] == pytest.approx(CONTEXT + NCCL + held(r) * extra, rel=1e-12)


def test_without_lora_the_allocators_are_measured_alike():
    rows = [pipeline.evaluate_training(L7, DGX_H100, dp=8, global_batch=64, zero_stage=3,
                                       training={"allocator": a}).row(0, named=True)
            for a in ("caching", "expandable_segments")]
    assert rows[0]["memory_reserve_bytes"] == rows[1]["memory_reserve_bytes"]


def test_a_stated_fraction_takes_precedence():
    """memory_reserve_fraction set to a share other than 0.10 (without memory_reserve): the flat share of the
    usable memory, as before; memory_reserve = "physical" keeps the physical reserve whatever the share."""
    flat = pipeline.evaluate_training(L7, DGX_H100, dp=8, global_batch=64,
                                      training={"memory_reserve_fraction": 0.2}).row(0, named=True)
    assert flat["memory_reserve_bytes"] == pytest.approx(0.2 * flat["memory_limit_bytes"], rel=1e-12)
    physical = pipeline.evaluate_training(L7, DGX_H100, dp=8, global_batch=64,
                                          training={"memory_reserve_fraction": 0.2, "memory_reserve": "physical"})
    r = physical.row(0, named=True)
    assert r["memory_reserve_bytes"] == pytest.approx(CONTEXT + NCCL + held(r) / 24, rel=1e-12)


@pytest.mark.parametrize(("training", "recorded"), [
    ({}, {}),  # the default: the run id of a spec written before the physical reserve does not change
    ({"memory_reserve_fraction": 0.05}, {"memory_reserve_fraction": 0.05}),  # the share implies the flat reserve
    ({"memory_reserve_fraction": 0.10}, {}),  # the old default, as the packaged training.toml wrote it: physical
    ({"memory_reserve_fraction": 0.10, "memory_reserve": "fraction"}, {"memory_reserve": "fraction"}),
    ({"memory_reserve_fraction": 0.2, "memory_reserve": "physical"},
     {"memory_reserve": "physical", "memory_reserve_fraction": 0.2}),
    ({"allocator": "expandable_segments"}, {"allocator": "expandable_segments"}),
])
def test_the_run_id_records_what_the_spec_chose(training, recorded):
    knobs = parse_spec({"study": "training", "training": training}).as_dict()["training"]
    assert {k: knobs[k] for k in ("memory_reserve", "memory_reserve_fraction", "allocator") if k in knobs} \
        == {"memory_reserve_fraction": 0.10} | recorded
