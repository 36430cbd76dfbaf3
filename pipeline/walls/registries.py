"""The formula registries of the studies that give a shared column name their own formula.

The node study plans with ``formulas.REGISTRY`` alone; the serving study with
``formulas.REGISTRY | SERVING`` and the training study with ``formulas.REGISTRY | TRAINING``,
so where a name is in both (``is_feasible``, ``bound``, ``tokens_per_s`` ...) the study's
own formula wins. Wall modules register into these with the decorators below; importing
``pipeline.walls`` registers every wall.
"""

from __future__ import annotations

from functools import partial

from pipeline import formulas

SERVING: dict[str, formulas.Formula] = {}
TRAINING: dict[str, formulas.Formula] = {}

serving_column = formulas.column(registry=SERVING)
training_column = formulas.column(registry=TRAINING)
define_serving = partial(formulas.define, registry=SERVING)
define_training = partial(formulas.define, registry=TRAINING)

# Disaggregated prefill/decode deployments (pipeline.walls.disaggregated), planned over the
# serving study's rows by pipeline.studies.disaggregated: their own names, their own registry.
DISAGGREGATED: dict[str, formulas.Formula] = {}
disaggregated_column = formulas.column(registry=DISAGGREGATED)
