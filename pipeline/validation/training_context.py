"""Training rows' layouts and contexts as values of one space, so rows that differ by them share one group
(``pipeline.validation.grouping``) instead of one group each; the same predictions.

- **Layout.** A row that states its data-parallel ranks has the axis ``dp`` (``training_spec``), one that states
  only its devices the axis ``gpus``: two sets of axes, two groups. The training study derives either from the
  other (``pipeline.studies.training``: gpus = dp x tp x pp x cp with the division exact, or dp = gpus // (tp x pp
  x cp) and a drop rule where it is not), so a row of ``dp`` is the same configuration as one of
  ``gpus`` = dp x tp x pp x cp: the same dp, gpus, rules and columns.
- **Context.** A row that runs a longer sequence than its model's catalogued ``max_context_tokens`` (a model
  without a learned position table: ``predict.run_context``) carries the override ``models.max_context_tokens``,
  which sets the column on every model row for the whole space (``pipeline.catalogs.overrides.apply``), so each
  context was a group. In the training study only two things read the column: the model side's rule dropping a
  seq_len above it (``pipeline.studies.sides``) and the learned position table's parameters
  (``pipeline.walls.architecture.embedding_params``, zero for other position embeddings). Here the catalog that
  training groups read raises each such model's ``max_context_tokens`` to the longest context its rows state
  instead: every row of that model keeps its seq_len (those without the override were within the catalog's
  context already), no learned table changes, and models without such rows are as catalogued. Serving rows keep
  their overrides (there the column also caps the KV cache each sequence can hold, wall 5's admission).
"""

from __future__ import annotations

from dataclasses import replace

import polars as pl

from pipeline.catalogs import overrides
from pipeline.catalogs.load import Catalogs
from pipeline.errors import InputError

CONTEXT = "models.max_context_tokens"


def fold_training(specs: dict[int, dict], catalogs: Catalogs) -> tuple[dict[int, dict], Catalogs]:
    """``specs`` with each training spec's ``dp`` axis as its ``gpus`` and its context override folded into the
    models catalog, and the catalogs the training groups read (the models with those contexts raised). A spec
    whose override does not parse keeps it (its group then says why, as before)."""
    out, raised = dict(specs), {}
    for i, spec in specs.items():
        if spec.get("study") != "training":
            continue
        axes = spec["axes"]
        if "dp" in axes and all(len(axes[c]) == 1 for c in ("dp", "tp", "pp", "cp")):
            (dp,), (tp,), (pp,), (cp,) = (axes[c] for c in ("dp", "tp", "pp", "cp"))
            axes = {("gpus" if c == "dp" else c): ([dp * tp * pp * cp] if c == "dp" else v) for c, v in axes.items()}
        spec = spec | {"axes": axes}
        context = spec.get("overrides", {}).get(CONTEXT)
        if context is not None and len(axes["model"]) == 1:
            try:
                tokens = overrides.parse({CONTEXT: context}, "overrides")[CONTEXT]
            except InputError:
                tokens = None
            if tokens is not None:
                model = axes["model"][0]
                raised[model] = max(tokens, raised.get(model, tokens))
                rest = {k: v for k, v in spec["overrides"].items() if k != CONTEXT}
                spec = {k: v for k, v in spec.items() if k != "overrides"} | ({"overrides": rest} if rest else {})
        out[i] = spec
    if not raised:
        return out, catalogs
    models = catalogs.models
    bigger = pl.col("name").replace_strict(list(raised), list(raised.values()), default=None,
                                           return_dtype=pl.Float64)
    context = pl.max_horizontal(pl.col("max_context_tokens").cast(pl.Float64), bigger)
    return out, replace(catalogs, models=models.with_columns(context.cast(models.schema["max_context_tokens"])
                                                             .alias("max_context_tokens")))
