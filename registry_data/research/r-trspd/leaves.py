"""The training bench's main-plan terms by the model-side columns they read (through the registry, the model side's
held terms and per-key groups as inputs): for each written time and a few of their inputs, those columns and their
distinct rows on the model side against its rows: the classes a per-key table of that term would have (as
``training_reference.node_terms`` has for the one-node reference's).

    .venv/bin/python registry_data/research/r-trspd/leaves.py [BATCHES]
"""
import sys

from pipeline import runs
from pipeline.bench import packaged_codec, synthetic_spec
from pipeline.spec import parse_spec
from pipeline.studies import training, training_reference as reference

batches = int(sys.argv[1]) if len(sys.argv) > 1 else 1
prepared = runs.prepare(parse_spec(synthetic_spec(batches, "training")
                                   | {"output": {"compression": packaged_codec("training")}}, "bench"))
space = prepared.space
hw, model = set(space.hardware_side.columns), set(space.model_side.columns) - set(space.hardware_side.columns)
held = {c.removesuffix("__model_side") for c in model if c.endswith("__model_side")}
inputs = set(space.units) | held | set(reference.SHAPE_TERMS)
TERMS = ["compute_time_s", "tp_comm_time_s", "cp_comm_time_s", "ep_comm_time_s", "pipeline_bubble_time_s",
         "pp_p2p_time_s", "dp_allreduce_time_s", "dp_exposed_time_s", "microbatch_time_s", "iteration_time_s",
         "is_feasible", "memory_per_gpu_bytes"]
reads, _ = reference._leaves([t for t in TERMS if t in training.FORMULAS], inputs, {}, training.FORMULAS)
print(f"model side {space.model_side.height:,} rows, hardware side {space.hardware_side.height} rows")
for term in TERMS:
    if term not in reads:
        continue
    at_model = sorted((reads[term] & model) | {f"{c}__model_side" for c in reads[term] & held})
    n = space.model_side.select(at_model).n_unique() if at_model else 1
    print(f"{term:24s} {n:8,d} model classes; hardware-side {len(reads[term] & hw)}; reads {', '.join(at_model)}")
