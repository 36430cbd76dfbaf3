"""The map ``mlsys sweep`` prints for a node run: per model and step, the fastest feasible
configuration of each accelerator group at batch 1, so that one accelerator cannot fill every
cell; where a decoder fits no single device of a group, the fewest devices of that group that
hold it (tensor x pipeline parallel inside one scale-up domain, from the serving study).

Groups: datacenter accelerators by vendor (NVIDIA, AMD, Google, AWS, Intel), then everything
else (workstation, edge, mobile and CPU) in one column.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl

from pipeline.runs import database

OTHER = "workstation, edge, CPU"
GROUP_ORDER = ["NVIDIA", "AMD", "Google", "AWS", "Intel", OTHER]
CONTEXT_TOKENS = 2048  # the decode context the map shows: each model's longest up to this (else its shortest)
TP = [1, 2, 4, 8, 16, 32, 64, 72]  # 72: a GB200/GB300 NVL72 domain
PP = [1, 2, 4, 8]


def group(frame: pl.DataFrame) -> pl.DataFrame:
    """``frame`` with ``group``: the vendor for datacenter accelerators, else OTHER."""
    return frame.with_columns(group=pl.when(pl.col("category") == "datacenter").then(pl.col("vendor").cast(pl.String))
                              .otherwise(pl.lit(OTHER)))


def fewest_devices(models: list[str], groups: pl.DataFrame, context_tokens: int,
                   registry: str | Path | None = None) -> pl.DataFrame:
    """For each model and accelerator group (``groups``: hardware -> group), the layout with the fewest
    devices (then the lowest inter-token latency) that holds the model's weights and a
    ``context_tokens`` KV cache at batch 1: columns model, group, hardware, devices, tp, pp,
    compute_dtype, itl_s."""
    hardware = sorted(groups["hardware"].unique().to_list())
    from pipeline.runs import collect, prepare
    from pipeline.spec import parse_spec

    if not models or not hardware:
        return pl.DataFrame(schema={"model": pl.String, "group": pl.String, "hardware": pl.String, "devices": pl.Int64,
                                    "tp": pl.Int64, "pp": pl.Int64, "compute_dtype": pl.String, "itl_s": pl.Float64})
    spec = parse_spec({"study": "serving", "axes": {
        "model": models, "hardware": hardware, "precision": ["fp16", "fp8"], "tp": TP, "pp": PP, "batch": [1],
        "prompt_len": [context_tokens - 1], "output_len": [1]}}, "fewest devices (serving study)")
    rows = collect(prepare(spec, registry))
    fits = (rows.filter(pl.col("fits_in_hbm") & (pl.col("pp_crossing_boundaries") == 0))  # one scale-up domain
            .with_columns(pl.col("hardware").cast(pl.String))
            .join(groups, on="hardware").with_columns(devices=(pl.col("tp") * pl.col("pp")).cast(pl.Int64)))
    return (fits.sort("devices", "itl_s").group_by("model", "group", maintain_order=True).first()
            .select(pl.col("model").cast(pl.String), "group", pl.col("hardware").cast(pl.String), "devices",
                    pl.col("tp").cast(pl.Int64), pl.col("pp").cast(pl.Int64),
                    pl.col("compute_dtype").cast(pl.String), "itl_s"))


def vendor_map(run_dir: Path, registry: str | Path | None = None) -> tuple[pl.DataFrame, int | None]:
    """One row per model and inference step (forward or decode), one text cell per accelerator group;
    and the decode context used (None when the run has no decoder)."""
    cells = group(database.run_query("model_accelerator_map", run_dir, {"seq_len": str(CONTEXT_TOKENS)})
                  .filter(pl.col("step").is_in(["forward", "decode"])))
    decode = cells.filter(pl.col("step") == "decode")["seq_len"].drop_nulls()
    context = int(decode.max()) if decode.len() else None  # each decoder's longest context up to 2048
    fastest = (cells.filter(pl.col("latency_s").is_not_null()).sort("latency_s")
               .group_by("model", "step", "group", maintain_order=True).first()
               .with_columns(cell=pl.format("{} {}\n{} ms, {}", "hardware", "compute_dtype",
                                            (pl.col("latency_s") * 1e3).round_sig_figs(3), "bound")))
    unfit = (cells.group_by("model", "step", "group", "model_type")
             .agg(fits=pl.col("latency_s").is_not_null().any(), hardware=pl.col("hardware").cast(pl.String).unique())
             .filter(~pl.col("fits")))
    decoders = unfit.filter(pl.col("model_type") == "decoder")
    groups = decoders.explode("hardware").select("hardware", "group").unique()
    several = fewest_devices(sorted(decoders["model"].cast(pl.String).unique().to_list()), groups,
                             context or CONTEXT_TOKENS, registry)
    multi = (unfit.drop("hardware").with_columns(pl.col("model").cast(pl.String))
             .join(several, on=["model", "group"], how="left")
             .with_columns(cell=pl.when(pl.col("devices").is_not_null())
                           .then(pl.format("{} x {} {} (tp {}, pp {})\n{} ms per token",
                                           "devices", "hardware", "compute_dtype", "tp", "pp",
                                           (pl.col("itl_s") * 1e3).round_sig_figs(3)))
                           .otherwise(pl.lit("fits no device or scale-up domain"))))
    both = pl.concat([fastest.select(pl.col("model").cast(pl.String), pl.col("step").cast(pl.String), "group", "cell"),
                      multi.select("model", pl.col("step").cast(pl.String), "group", "cell")])
    grid = both.pivot(on="group", index=["model", "step"], values="cell").sort("model", "step")
    return grid.select("model", "step", *[g for g in GROUP_ORDER if g in grid.columns]), context
