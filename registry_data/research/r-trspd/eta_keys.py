"""Whether the nodespd kind of cut (a per-key table keyed on a column its formula reads only where a row has no kernel
fit, r-nodespd section 3) applies to training: the hardware classes of the training bench's per-key groups
(``shape_etas``' parts, ``node_terms``' groups and inner groups) with their keys as they are, and with eta_compute
NULL where the row has a GEMM fit (``gemm_units`` not null: ``training_lora.adapter_eta_compute`` reads
eta_compute only there; the other shape terms do not read it).

    .venv/bin/python registry_data/research/r-trspd/eta_keys.py [BATCHES]
"""
import sys

import polars as pl

from pipeline import runs
from pipeline.bench import packaged_codec, synthetic_spec
from pipeline.spec import parse_spec
from pipeline.studies import training, training_reference as reference

batches = int(sys.argv[1]) if len(sys.argv) > 1 else 1
prepared = runs.prepare(parse_spec(synthetic_spec(batches, "training")
                                   | {"output": {"compression": packaged_codec("training")}}, "bench"))
space = prepared.space
hw = space.hardware_side
gated = hw.with_columns(eta_compute=pl.when(pl.col("gemm_units").is_null()).then(pl.col("eta_compute")))
groups = reference.shape_etas(space, training.FORMULAS, training.SHAPED) + reference.node_terms(space,
                                                                                                training.FORMULAS)
print(f"hardware side {hw.height} rows; gemm_units null on {hw['gemm_units'].null_count()}")
for group in groups:
    for g in (*group.parts, *group.inner) or (group,):
        keys = list(g.hardware)
        if "eta_compute" in keys:
            print(f"{g.columns[0][:44]:44s} hw classes {hw.select(keys).n_unique():3d} -> gated "
                  f"{gated.select(keys).n_unique():3d}; without eta_compute "
                  f"{hw.select(k for k in keys if k != 'eta_compute').n_unique():3d}")
