"""pipeline.runs keeps the names the README and the CLI use, whichever module holds them."""

from __future__ import annotations

import pipeline.runs
from pipeline.runs import manifest, prepared, progress, sizing, write


def test_public_names_are_re_exported():
    assert pipeline.runs.prepare is prepared.prepare
    assert pipeline.runs.collect is prepared.collect
    assert pipeline.runs.Prepared is prepared.Prepared
    assert pipeline.runs.STUDIES is prepared.STUDIES
    assert pipeline.runs.run is write.run
    assert pipeline.runs.chunks is sizing.chunks
    assert pipeline.runs.estimate is sizing.estimate
    assert pipeline.runs.progress_bar is progress.progress_bar
    assert pipeline.runs.version is manifest.version
    assert set(prepared.STUDIES) == {"node", "serving", "training"}
