"""What MFU and HFU count, against the papers' own formulas for a known layout (issue 12, HFU).

GPT-3 175B (l = 96 layers, h = 12288, V = 51200) at s = 2048, global batch B = 1536, as Narayanan et al.
2021 (SC21, arXiv 2104.04473) Table 2 ran it on 384 A100s (TP 8, PP 12):

- model FLOPs per step (MFU, Chowdhery et al. 2022 App. B; Korthikanti et al. 2022 App. A):
  72 B s l h^2 (1 + s/(6h) + V/(12 l h)) = 3.3862e18;
- hardware FLOPs under full recomputation (Narayanan et al. eq. 3, whose "teraFLOP/s per GPU" is
  therefore HFU): 96 B s l h^2 (1 + s/(6h) + V/(16 l h)) = 4.5111e18, the forward done twice;
- under selective recomputation the attention core's forward again, Q.K^T and P.V: 4 B s^2 h l
  (Korthikanti et al. §4.3; the whole-score term s/(6h) of the model FLOPs is 3 x that).

Our operator counts add the norms' few FLOPs, so the totals agree to 1e-4.
"""

from __future__ import annotations

import pytest

import pipeline

SELENE = "NVIDIA Selene subset, Megatron-LM (Narayanan et al. SC21, 3072 A100)"
B, S, L, H, V = 1536, 2048, 96, 12288, 51200
MODEL = 72 * B * S * L * H * H * (1 + S / (6 * H) + V / (12 * L * H))
EQ3 = 96 * B * S * L * H * H * (1 + S / (6 * H) + V / (16 * L * H))
ATTENTION_CORE = 4 * B * S * S * H * L


@pytest.fixture(scope="module")
def rows():
    return {rec: pipeline.evaluate_training(model="GPT-3 175B", cluster=SELENE, gpus=384, tp=8, pp=12, microbatch=1,
                                            global_batch=B, seq_len=S, compute_dtype="fp16", recompute=rec,
                                            sequence_parallel=False, framework="Megatron-LM").row(0, named=True)
            for rec in ("full", "selective", "none")}


def test_model_flops_are_korthikanti_appendix_a(rows):
    assert MODEL == pytest.approx(3.3862e18, rel=1e-4)
    for row in rows.values():
        assert row["model_flop_per_step"] == pytest.approx(MODEL, rel=1e-4)


def test_hardware_flops_are_narayanan_eq3_under_full_recomputation(rows):
    assert EQ3 == pytest.approx(4.5111e18, rel=1e-4)
    assert rows["full"]["hardware_flop_per_step"] == pytest.approx(EQ3, rel=1e-4)


def test_selective_recomputation_adds_the_attention_core_forward_only(rows):
    extra = rows["selective"]["hardware_flop_per_step"] - rows["selective"]["model_flop_per_step"]
    assert extra == pytest.approx(ATTENTION_CORE, rel=1e-9)
    assert rows["none"]["hardware_flop_per_step"] == rows["none"]["model_flop_per_step"]


def test_hfu_and_mfu_share_one_step_time(rows):
    """HFU = hardware FLOPs / (step x GPUs x 312 TFLOP/s), the A100 16-bit peak of Narayanan §5; the
    time the recomputation takes is in the step, its FLOPs only in HFU's numerator."""
    for row in rows.values():
        chips = row["step_time_s"] * 384 * 312e12
        assert row["hfu"] == pytest.approx(row["hardware_flop_per_step"] / chips, rel=1e-12)
        assert row["mfu"] == pytest.approx(row["model_flop_per_step"] / chips, rel=1e-12)
    assert rows["full"]["hfu"] / rows["full"]["mfu"] == pytest.approx(EQ3 / MODEL, rel=1e-4)
    assert rows["full"]["step_time_s"] > rows["none"]["step_time_s"]  # the recomputed forward takes time
