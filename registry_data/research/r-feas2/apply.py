"""Replay patches.csv onto the measurements catalog: what Megatron-Bridge's performance recipes state
about the memory of six DGX-GB200 rows (issue 12, test_feasible), each value cited to a line of the
recipe at NVIDIA-NeMo/Megatron-Bridge 0a25f911 (the commit the rows' source page is read at):

- Llama 3 70B FP8-CS (LLAMA3_70B_PRETRAIN_CONFIG_GB200_FP8_CS_V2): cpu_offloading_num_layers = 40,
  the fused cross entropy of llama3_70b_pretrain_config, and FP8 working weights (fp8_param_gather of
  bf16_with_fp8_current_scaling_mixed);
- Llama 3.1 405B FP8-CS, MXFP8 and NVFP4 (..._GB200_*_V2): the embedding and the loss counted as layers
  in the pipeline split (llama31_405b_pretrain_config), its fused cross entropy, and FP8 working weights
  under the FP8-CS and MXFP8 recipes (NVFP4's sets fp8_param_gather = False).

The columns (pipeline.catalogs.kernel_schema.TrainingRunColumns) are added as nulls first when missing.
The source is appended to the row's notes once, so a second run changes nothing. Run from the
repository root:

    .venv/bin/python registry_data/research/r-feas2/apply.py
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
NEW_COLUMNS = {"fp8_params": pl.Boolean, "cpu_offloading_num_layers": pl.Int64,
               "cross_entropy_loss_fusion": pl.Boolean, "embedding_and_loss_in_pipeline_split": pl.Boolean}
_SPEC = importlib.util.spec_from_file_location("apply_feas", HERE.parent / "r-feas" / "apply.py")
r_feas = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(r_feas)


def apply(registry: Path = REGISTRY) -> int:
    """r-feas's replay procedure on this directory's patches.csv."""
    return r_feas.apply(registry, HERE, NEW_COLUMNS)


if __name__ == "__main__":
    print(apply(), "patches")
