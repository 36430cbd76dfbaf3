"""The column dictionary: every output column's name, unit, dtype, description and source."""

from __future__ import annotations

import polars as pl

from pipeline.studies import node, schema_columns, serving, training

STUDIES = {"node": node.SCHEMA, "serving": serving.SCHEMA, "training": training.SCHEMA}


def column_dictionary() -> pl.DataFrame:
    rows = [
        {"study": study, "column_name": name, "unit": spec["unit"], "dtype": spec["dtype"],
         "description": spec["description"], "source": spec["source"]}
        for study, schema in STUDIES.items()
        for name, spec in schema_columns(schema).items()
    ]
    return pl.DataFrame(rows, schema={"study": pl.String, "column_name": pl.String, "unit": pl.String,
                                      "dtype": pl.String, "description": pl.String, "source": pl.String})


# Columns that may leave the range of their kind (a non-negative quantity, a fraction in
# [0, 1]) by design, and why: column -> reason.
BY_DESIGN = {name: spec["by_design"] for schema in STUDIES.values()
             for name, spec in schema_columns(schema).items() if spec["by_design"]}
