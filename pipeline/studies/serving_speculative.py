"""Speculative decoding in the serving study (formulas: ``pipeline.walls.speculative``).

The model side gains the draft model's architecture (``draft_*`` columns, null for MTP/EAGLE
heads or no speculation); ``inputs`` adds the two passes the formulas read, evaluated with the
serving study's own decode formulas: the verification pass (the target's decode with k + 1
positions per sequence) and the draft model's decode pass (the target's formulas read with the
draft's architecture). Where no row of a space speculates (the default, k = 0), nothing is
added and the speculative columns are null.
"""

from __future__ import annotations

import pandera.polars as pa
import polars as pl

from pipeline import formulas
from pipeline.catalogs.load import Catalogs
from pipeline.errors import InputError, Problem
from pipeline.spec import SweepSpec
from pipeline.studies import fraction, result, sides
from pipeline.studies.serving_precomputed import rebindable
from pipeline.units import unit
from pipeline.walls.registries import SERVING

FORMULAS = formulas.REGISTRY | SERVING
AXES = {"spec_draft_tokens": ("", pl.Int64), "spec_acceptance": ("", pl.Float64)}
INPUT_UNITS = {"spec_verify_pass_s": unit("s"), "spec_draft_pass_s": unit("s"),
               "spec_draft_model_bytes_per_device": unit("B")}
# the columns a verification pass reads from its own positions instead of the decode's
VERIFY = {"decode_tokens": "spec_verify_tokens", "decode_logit_tokens": "spec_verify_tokens",
          "decode_attention_pairs": "spec_verify_attention_pairs"}
COLUMNS = {  # computed; null where no row of the space speculates
    "spec_tokens_per_step": ("", "expected tokens kept per sequence and verification step, (1 - a^(k+1)) / (1 - a)",
                             "Leviathan et al. 2023, eq. 1"),
    "spec_verify_pass_s": ("s", "the target's decode pass over k + 1 positions per sequence", "operator roofline"),
    "spec_draft_time_s": ("s", "k draft passes: the draft model's decode, or one target layer + LM head "
                          "(MTP/EAGLE)", "operator roofline; EAGLE §4.1, DeepSeek-V3 §2.2"),
    "spec_draft_memory_bytes_per_device": ("B", "weights + KV cache the drafter adds on a device (draft model, or "
                                           "one target layer's share for MTP/EAGLE)", "pipeline.walls.speculative"),
    "spec_is_feasible": (None, "the layout runs and its memory headroom also holds the drafter",
                         "pipeline.walls.speculative"),
    "spec_step_time_s": ("s", "draft + verification + scheduler overhead", "pipeline.walls.speculative"),
    "spec_itl_s": ("s", "time per output token under speculation: step time / tokens per step",
                   "Leviathan et al. 2023, §3.4"),
    "spec_tokens_per_s": ("tok/s", "generated tokens per second under speculation, whole system",
                          "pipeline.walls.speculative"),
    "spec_speedup": ("", "itl_s / spec_itl_s (> 1: speculation pays)", "pipeline.walls.speculative"),
}
OUTPUTS = list(COLUMNS)
NULL_WITHOUT = ["draft_model", *OUTPUTS]  # null in a row that does not speculate (k = 0, no draft model)


def with_columns(schema: type[pa.DataFrameModel]) -> type[pa.DataFrameModel]:
    """``schema`` followed by the speculation axes and columns."""
    body = {"spec_draft_tokens": result("", "draft tokens per verification step, k (0: off)", "sweep axis",
                                        nullable=False),
            "spec_acceptance": fraction("per-token acceptance rate of the drafter, a (from its paper)", "sweep axis",
                                        nullable=False),
            "draft_model": result(None, "draft model (null: MTP/EAGLE-style heads)", "sweep axis")}
    body |= {name: result(u, description, source) for name, (u, description, source) in COLUMNS.items()}
    body["__annotations__"] = {"spec_draft_tokens": int, "spec_acceptance": float, "draft_model": pl.Categorical} | {
        name: float if u is not None else bool for name, (u, _, _) in COLUMNS.items()}
    body["Config"] = type("Config", (), {"name": schema.Config.name, "strict": True})
    return type(schema.__name__, (schema,), body)


def draft_side(side: pl.DataFrame, units: dict, catalogs: Catalogs, spec: SweepSpec,
               shaped: list[str]) -> tuple[pl.DataFrame, dict]:
    """``side`` x the draft models of ``axes.draft_model`` (a null ``draft_model`` without): their ``shaped``
    columns as ``draft_<column>``. A draft larger than its target (params_computed) or not a
    decoder is bad input."""
    names = spec.axes.draft_model
    if not names:  # no draft model: MTP/EAGLE heads where k > 0
        return side.with_columns(draft_model=pl.lit(None, dtype=pl.Categorical)), units | {"draft_model": None}
    sides.check_catalog_names("axes.draft_model", names, catalogs.models)
    drafts, draft_units = sides.shaped_models(catalogs.models.filter(pl.col("name").is_in(list(names))), shaped)
    drafts = drafts.select("model", *shaped)
    renamed = {c: f"draft_{c}" for c in drafts.columns if c != "model"} | {"model": "draft_model"}
    drafts = sides.categorical(drafts.rename(renamed))
    problems = [Problem(None, "axes.draft_model", f"{r['draft_model']!r} is not a decoder (model_type "
                                                  f"{r['draft_model_type']!r}): a draft model decodes tokens")
                for r in drafts.filter(pl.col("draft_model_type") != "decoder").iter_rows(named=True)]
    pairs = side.select("model", "params_computed").unique().join(drafts.select(
        "draft_model", "draft_params_computed"), how="cross")
    problems += [Problem(None, "axes.draft_model", f"{r['draft_model']!r} ({r['draft_params_computed']:.3g} params) "
                                                   f"is larger than the target {r['model']!r} "
                                                   f"({r['params_computed']:.3g} params): a draft must be smaller "
                                                   "than the model it drafts for; remove one from the axes")
                 for r in pairs.filter(pl.col("draft_params_computed") > pl.col("params_computed"))
                 .iter_rows(named=True)]
    if problems:
        raise InputError("sweep spec", problems)
    out_units = units | {renamed[c]: u for c, u in draft_units.items() if c in renamed}
    return side.join(drafts, how="cross", maintain_order="left_right"), out_units


def is_speculating(model_side: pl.DataFrame) -> bool:
    """Some row drafts tokens (k > 0): the speculative columns apply."""
    return bool((model_side["spec_draft_tokens"] > 0).any())


def not_applying(model_side: pl.DataFrame) -> list[str]:
    """The speculative columns where no row speculates (null), else none."""
    return [] if is_speculating(model_side) else OUTPUTS


def inputs(frame: pl.LazyFrame, units: dict, model_side: pl.DataFrame,
           shaped: list[str]) -> tuple[pl.LazyFrame, dict]:
    """The verification pass (``spec_verify_pass_s``) and the draft model's decode pass
    (``spec_draft_pass_s``, null without a draft model) the speculative formulas read."""
    if not is_speculating(model_side):  # the columns are null: their inputs too (no pass is planned)
        return frame.with_columns(pl.lit(None, dtype=pl.Float64).alias(c) for c in INPUT_UNITS), units | INPUT_UNITS
    frame = formulas.plan(frame, units, list(dict.fromkeys(VERIFY.values())), FORMULAS, keep=True).frame
    verify_units = units | {"spec_verify_tokens": unit("tok"), "spec_verify_attention_pairs": unit("")}
    verify_units |= {name: verify_units[column] for name, column in VERIFY.items()}
    frame = formulas.plan(frame, rebindable(verify_units, VERIFY, FORMULAS), ["decode_pass_time_s"], FORMULAS,
                          rebind=VERIFY, suffix="__verify", keep=True).frame.rename(
        {"decode_pass_time_s__verify": "spec_verify_pass_s"})
    if model_side["draft_model"].is_not_null().any():
        rebind = {c: f"draft_{c}" for c in shaped}
        frame = formulas.plan(frame, rebindable(units, rebind, FORMULAS), ["decode_pass_time_s",
                              "weights_per_device_bytes", "kv_cache_bytes_per_device"], FORMULAS, rebind=rebind,
                              suffix="__draft", keep=True).frame
        frame = frame.with_columns(spec_draft_pass_s=pl.col("decode_pass_time_s__draft"),
                                   spec_draft_model_bytes_per_device=pl.col("weights_per_device_bytes__draft")
                                   + pl.col("kv_cache_bytes_per_device__draft"))
    else:
        frame = frame.with_columns(spec_draft_pass_s=pl.lit(None, dtype=pl.Float64),
                                   spec_draft_model_bytes_per_device=pl.lit(None, dtype=pl.Float64))
    return frame, units | INPUT_UNITS
