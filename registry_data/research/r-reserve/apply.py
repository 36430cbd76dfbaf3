"""Replay patches.csv onto the measurements catalog: the CUDA allocator the launchers of 21 training rows set (six
Megatron-Bridge DGX-GB200 rows, 13 MLPerf v5.0 Llama 3.1 405B rows, two MLPerf LoRA rows; issue 12,
test_feasible; pipeline.walls.training_reserve), each cited to its line.
Megatron-Bridge, scripts/performance/perf_plugins.py at 0a25f911 (the commit the rows' source page is read at):
``_set_model_specific_environment_variables`` sets PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True for
llama31_405b pretraining on gb200 with compute dtype fp8_cs or fp8_mx (lines 262-269: the FP8-CS and MXFP8 rows;
not NVFP4) and for deepseek_v3 pretraining on h100 and gb200 whatever the dtype (lines 270-276: the GB200 rows;
not the B200 ones). Megatron-Bridge's other recipes keep the caching allocator (its llama3_70b setting, lines
282-287, is for SFT on gb300 / h100, no measured row).

MLPerf Training submissions state it in their launch configs: every v5.0 llama31_405b implementation with a measured
row exports PYTORCH_CUDA_ALLOC_CONF=expandable_segments:True in config_common.sh (NVIDIA eos-dfw and tyche, Nebius:
line 77; IBM+CoreWeave+NVIDIA carina: line 81; training_results_v5.0 at 0fdc28f0), and so does v4.1's B200-preview
llama2_70b_lora config DGXB200_1x8x2xtp1pp1cp2.sh (line 39, training_results_v4.1 at b87b9e39), the row's layout,
and v5.0's SCITIX llama2_70b_lora launch_scitix.sh (line 22). No other launch script of a measured row sets it
(git grep PYTORCH_CUDA_ALLOC_CONF over training_results_v3.1, v4.1 and v5.0's *.sh: besides these, two v3.1
maskrcnn / ssd configs and NeMo's dit_train.sh copies, no measured row; v5.0 tyche_ngpu512 has no row).

The column (pipeline.catalogs.kernel_schema.TrainingRunColumns.allocator) is added as nulls first when missing;
the source is appended to the row's notes once, so a second run changes nothing. Replay after r-feas2. Run from the
repository root:

    .venv/bin/python registry_data/research/r-reserve/apply.py
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
NEW_COLUMNS = {"allocator": pl.String}
_SPEC = importlib.util.spec_from_file_location("apply_feas", HERE.parent / "r-feas" / "apply.py")
r_feas = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(r_feas)


def apply(registry: Path = REGISTRY) -> int:
    """r-feas's replay procedure on this directory's patches.csv."""
    return r_feas.apply(registry, HERE, NEW_COLUMNS)


if __name__ == "__main__":
    print(apply(), "patches")
