"""Dual-batch overlap of the EP all-to-all with computation (issue 16 item 1; knob
``serving.dual_batch_overlap``), read by the serving pass time (``pipeline.walls.serving``)."""

from __future__ import annotations

from pipeline.units import Plain, UExpr, minimum, where


def alltoall_hidden_s(dual_batch_overlap: Plain, alltoall_time_s: UExpr, compute_time_s: UExpr) -> UExpr:
    """The all-to-all time hidden behind computation by dual-batch overlap: the batch split in two
    microbatches, one's dispatch and combine run while the other computes (DeepSeek-V3 report
    §3.4; DeepSeek's profile-data repository, 2025-02: prefill and decode each overlap two
    microbatches; SGLang --enable-two-batch-overlap, vLLM dual-batch overlap), so a pass takes
    max(compute, all-to-all) instead of their sum: min(all-to-all, compute) hidden. An upper
    bound on the gain: the cost of splitting (weights read once per microbatch where the
    experts are memory-bound, half-size GEMMs) is not charged. 0 without the knob."""
    return where(dual_batch_overlap, minimum(alltoall_time_s, compute_time_s), 0)
