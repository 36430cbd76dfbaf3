"""The columns of a speculative-decoding row of the measurements catalog (issue 16 item 7): the
settings a published speedup was measured at, which the serving study's speculation axes take
(pipeline.studies.serving_speculative). Null on every other row."""

from __future__ import annotations

from pipeline.catalogs.fields import count, quantity, text
from pipeline.catalogs.kernel_schema import TrainingRunColumns

# metric -> (study, unit): the decode speedup of speculative decoding over plain decoding (serving study
# column spec_speedup = itl_s / spec_itl_s); a published "1.8x TPS" or "2.7x-3.5x latency speedup"
SPECULATIVE_METRICS = {"spec_speedup": ("serving", "")}
SPECULATIVE_COLUMNS = ("spec_draft_tokens", "spec_acceptance", "draft_model")


class SpeculativeRowColumns(TrainingRunColumns):
    """What a serving row states about its speculative decoding (null: none)."""

    spec_draft_tokens: int = count("draft tokens per verification step, k (serving; MTP modules or EAGLE tree "
                                   "depth; null: no speculation)", nullable=True)
    spec_acceptance: float = quantity("", "per-token acceptance rate of the drafter, a (serving; as its source "
                                      "states it)", nullable=True, ge=0, le=1)
    draft_model: str = text("the draft model, a models catalog name (serving; null with spec_draft_tokens: "
                            "MTP/EAGLE-style heads of the target)", nullable=True)
