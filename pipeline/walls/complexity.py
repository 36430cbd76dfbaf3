"""Wall 11 (complexity): the compute a training run needs, C = 6 N D (Kaplan et al. 2020,
§2.1), for the spec's token budget or the compute-optimal one (Hoffmann et al. 2022)."""

from __future__ import annotations

from pipeline.units import UExpr, lit, where
from pipeline.walls.registries import training_column

CHINCHILLA_TOKENS_PER_PARAM = lit(20.0, "tok/param")  # Hoffmann et al. 2022 (Chinchilla), Table 3: ~20
TRAIN_FLOP_PER_PARAM_TOKEN = lit(6.0, "FLOP/param/tok")  # C = 6 N D (Kaplan et al. 2020, §2.1)


@training_column
def chinchilla_tokens(params_computed: UExpr) -> UExpr:
    """Compute-optimal tokens for the model size (Hoffmann et al. 2022: ~20 per parameter)."""
    return CHINCHILLA_TOKENS_PER_PARAM * params_computed


@training_column
def train_tokens(train_tokens_budget: UExpr, chinchilla_tokens: UExpr) -> UExpr:
    """The spec's token budget, else the Chinchilla-optimal count."""
    return where(train_tokens_budget.is_null(), chinchilla_tokens, train_tokens_budget)


@training_column
def training_compute_flop(params_active_per_token: UExpr, train_tokens: UExpr) -> UExpr:
    """C = 6 N D, N the parameters a token multiplies (all of them for dense models)."""
    return TRAIN_FLOP_PER_PARAM_TOKEN * params_active_per_token * train_tokens


@training_column
def time_to_train_ideal_s(train_tokens: UExpr, tokens_per_s: UExpr) -> UExpr:
    """The run at the step's pace, without failures or checkpoints."""
    return (train_tokens / tokens_per_s).to("s")
