"""LoRA serving in the serving study (formulas: ``pipeline.walls.lora``): the rank and resident-adapter
axes (rank 0, the default, leaves every row as it was) and the adapters' memory and kernel time."""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipeline.studies import result

AXES = {"lora_rank": ("", pl.Int64), "lora_adapters": ("", pl.Int64)}
COLUMNS = {
    "lora_params_per_adapter": ("param", "weights of one adapter on W_q, W_k, W_v, W_o: L x r x sum(d_in + d_out)",
                                "Hu et al. 2021, §4.1"),
    "lora_bytes_per_device": ("B", "the resident adapters on one device (in memory_per_device_bytes)",
                              "S-LoRA (Sheng et al. 2024) §5"),
    "prefill_lora_time_s": ("s", "batched LoRA kernels of the prefill pass (in ttft_s)", "Punica SGMV, S-LoRA"),
    "decode_lora_time_s": ("s", "batched LoRA kernels of a decode pass (in itl_s)", "Punica SGMV, S-LoRA"),
}


def with_columns(schema: type[pa.DataFrameModel]) -> type[pa.DataFrameModel]:
    """``schema`` followed by the LoRA axes and columns."""
    body = {"lora_rank": result("", "LoRA rank r of the adapters (0: no LoRA)", "sweep axis", nullable=False),
            "lora_adapters": result("", "LoRA adapters resident on the deployment, n", "sweep axis", nullable=False)}
    body |= {name: result(u, description, source) for name, (u, description, source) in COLUMNS.items()}
    body["__annotations__"] = {"lora_rank": int, "lora_adapters": int} | dict.fromkeys(COLUMNS, float)
    body["Config"] = type("Config", (), {"name": schema.Config.name, "strict": True})
    return type(schema.__name__, (schema,), body)
