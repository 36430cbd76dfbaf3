"""The training study's spec of one measurement row (``pipeline.validation.predict.measurement_spec``)."""

from __future__ import annotations

from pipeline.catalogs.kernel_schema import TRAINING_RUN_COLUMNS

LORA_RANK = 16  # trained = lora: MLPerf's llama2_70b_lora closed division fixes r = 16 (mlcommons/training
# llama2_70b_lora/scripts/train.py: "lora rank is a fixed to 16 in closed submission"); the training study's lora_rank


def training_spec(r: dict, framework: dict, lora: bool = False) -> tuple[dict | None, str | None]:
    """The one-layout training spec of row ``r`` (None and why when it cannot be predicted). Layout
    values the row leaves null take the study's defaults; the kernels and pipeline split it states
    (``TRAINING_RUN_COLUMNS``) set the spec's [training] knobs of the same names; a LoRA row (``lora``)
    trains adapters of rank ``LORA_RANK``."""
    if r["metric"] == "time_to_train_s":
        return None, "time to train needs the run's token budget, which the row does not state"
    if r["cluster"] is None:
        return None, "training rows need a cluster"
    if r["batch"] is None:
        return None, "training rows need the global batch"
    tp, pp = r["tp"] or 1, r["pp"] or 1
    layout = {"dp": [r["dp"]]} if r["dp"] is not None else {"gpus": [r["devices"]]}
    stated = {c: r[c] for c in TRAINING_RUN_COLUMNS if r.get(c) is not None}
    return {"study": "training", "axes": {
        "model": [r["model"]], "cluster": [r["cluster"]], "compute_dtype": [r["compute_dtype"]], **layout,
        "tp": [tp], "pp": [pp], "microbatch": [r["microbatch"] or 1], "global_batch": [r["batch"]],
        "seq_len": [r["seq_len"] or 2048], "recompute": [r["recompute"] or "selective"], "cp": [r["cp"] or 1],
        "ep": [r["ep"] or 1], "lora_rank": [LORA_RANK if lora else 0],
        "virtual_stages": [r["virtual_stages"] or 1],
        "sequence_parallel": [tp > 1 if r["sequence_parallel"] is None else r["sequence_parallel"]],
        "zero_stage": [1 if r["zero_stage"] is None else r["zero_stage"]]}, "efficiency": framework} | (
        {"training": stated} if stated else {}), None
