"""Quantities every wall shares, defined once: unit conversions between counts and the
constants more than one wall (or the spec) reads."""

from __future__ import annotations

from pipeline.units import lit

TOKEN = lit(1.0, "tok")
PARAM = lit(1.0, "param")  # one weight per counted matrix entry
ELEM_PER_TOKEN = lit(1.0, "elem/tok")  # one element per token per hidden unit
ELEM_PER_PARAM = lit(1.0, "elem/param")  # each weight stored as one element of its dtype
HOURS = lit(1.0, "h")

TRAIN_TO_FORWARD = 3.0  # forward + backward (2x forward), Kaplan et al. 2020 §2.1
# Mixed-precision Adam keeps an fp32 master copy, momentum and variance: K = 12 B/param
# (Rajbhandari et al. 2020, ZeRO, §3.1).
OPTIMIZER_BYTES = lit(12.0, "B/param")
WORKING_WEIGHT_BYTES = lit(2.0, "B/param")  # 16-bit weights (Micikevicius et al. 2018); FP8 GEMMs cast them

# Wall 20 (safety): DP-SGD's per-example gradient clipping as a multiplier on the step; the keys
# are the values the spec accepts for ``training.dp_sgd``.
DP_SGD_STEP_MULTIPLIER = {
    "none": 1.0,
    "book-keeping": 1.0 / 0.83,  # Bu et al. 2023 (ICML, arXiv 2210.00038), abstract: 0.83x non-private speed, GPT-2
    "opacus": 2.6,  # Beltran et al. 2024 (arXiv 2406.17298), abstract: per-example clipping 2.6-8x (ViT, CIFAR-100)
}
