"""r-dsr1c: the DeepSeek-R1 MLPerf Inference v5.1 runs' layout from their own configs (registry_data/research/r-dsr1c/
README.md). find_cells reads tp 8 with attention DP and EP 8 as the catalog's tp 1, ep 8, the runtime (not the
build) token budget, and the replica's batch cap; apply.py replays cells.csv onto a catalog by row name, once."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog, write_catalog
from tests.catalogs.research import script
from tests.validation.test_research_v50b import HERE as V50B

HERE = V50B.parent / "r-dsr1c"
FIND = script(HERE / "find_cells.py", "find_cells_dsr1c")
APPLY = script(HERE / "apply.py", "apply_dsr1c")

CONFIG = '''base = {
    llm_fields.trtllm_build_flags: {
        'max_num_tokens': 4608,
        'enable_attention_dp': True,
    },
    llm_fields.trtllm_runtime_flags: {
        'max_num_tokens': 6656,
        'max_concurrency': {mc},
    },
    model_fields.gpu_batch_size: {{
        'deepseek-r1': 1536,
    }},
    llm_fields.tensor_parallelism: 8,
    llm_fields.moe_expert_parallelism: 8,
}
'''.replace("{{", "{").replace("}}", "}")


def test_attention_dp_in_ep8_reads_as_tp1_ep8_with_the_runtime_budget():
    """tp 1 cites the enable_attention_dp line (4); the budget is the runtime flag's 6656 (line 7), not the build's
    4608; the batch is 8 x 1536 = 12288 under a max_concurrency of 20000, and the 10240 of max_concurrency (line 8)
    where that is smaller."""
    cells = {c: (v, n) for c, v, n, _ in FIND.cells_of(CONFIG.replace("{mc}", "20000"))}
    assert cells == {"tp": (1, 4), "ep": (8, 14), "max_num_tokens": (6656, 7), "batch": (12288, 11)}
    capped = {c: (v, n) for c, v, n, _ in FIND.cells_of(CONFIG.replace("{mc}", "10240"))}
    assert capped["batch"] == (10240, 8)


def test_a_layout_without_attention_dp_is_refused():
    with pytest.raises(SystemExit, match="attention DP False"):
        FIND.cells_of(CONFIG.replace("{mc}", "5120").replace("dp': True", "dp': False"))


def test_each_cell_cites_a_config_line_and_replays_once(registry):
    cells = pl.read_csv(HERE / "cells.csv")
    assert cells.select("repository", "commit", "path", "line", "why").null_count().row(0) == (0,) * 5
    assert cells["path"].str.contains(r"^closed/[^/]+/configs/.+/deepseek-r1\.py$").all()
    assert not cells.select("name", "column").is_duplicated().any()
    bundled = read_catalog("measurements")
    owned = {c: cells.filter(pl.col("column") == c)["name"].implode() for c in APPLY.COLUMNS}
    blank = bundled.with_columns(pl.when(pl.col("name").is_in(names)).then(None).otherwise(pl.col(c)).alias(c)
                                 for c, names in owned.items())
    write_catalog(blank, "measurements", registry)
    for _ in range(2):  # the second run finds every note and value in place
        APPLY.apply(registry)
        assert read_catalog("measurements", registry).equals(bundled)
