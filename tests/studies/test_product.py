"""kept_pairs: the rows a cross product keeps, without building it (the training study's model side)."""

from __future__ import annotations

import polars as pl

from pipeline.studies.product import kept_pairs
from pipeline.studies.sides import Rule, apply_rules


def test_kept_pairs_are_the_filtered_product_in_order_with_first_rule_counts():
    models = pl.DataFrame({"name": ["a", "b", "c"], "heads": [8, 6, 8], "unused": [1.0, 2.0, 3.0]})
    layouts = pl.DataFrame({"tp": [1, 2, 4, 3], "pp": [1, 1, 2, 1]})
    rules = [Rule("tp does not divide heads", (pl.col("heads") % pl.col("tp")) != 0),
             Rule("pp > 1", pl.col("pp") > 1)]
    pairs, dropped = kept_pairs(models, layouts, rules)
    # by hand: a (8 heads) keeps tp 1, 2 (tp 4 has pp 2; tp 3 does not divide 8); b (6) keeps tp 1, 2, 3
    # (tp 4: both rules break, counted under the first); c as a
    assert pairs.rows() == [(0, 0), (0, 1), (1, 0), (1, 1), (1, 3), (2, 0), (2, 1)]
    assert dropped == {"tp does not divide heads": 3, "pp > 1": 2}
    # the same as the full product filtered by apply_rules
    full = models.join(layouts, how="cross", maintain_order="left_right")
    kept, counts = apply_rules(full, rules)
    assert counts == dropped
    built = pairs.join(models.with_row_index("_m"), on="_m", maintain_order="left").join(
        layouts.with_row_index("_l"), on="_l", maintain_order="left").select(full.columns)
    assert built.equals(kept)
