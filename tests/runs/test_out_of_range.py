"""Values outside the range the output schema declares are counted in the manifest (issue 11 item 8)."""

import pandera.polars as pa
import polars as pl

from pipeline.runs.write import out_of_range_by_file, out_of_range_counts
from pipeline.studies import fraction, result


class Tiny(pa.DataFrameModel):
    mfu: float = fraction("model FLOPs utilization", "hand")
    step_time_s: float = result("s", "step time", "hand")
    note: str = pa.Field(nullable=True)

    class Config:
        name = "tiny"


def test_rows_outside_their_range_are_counted_per_column(tmp_path):
    part = tmp_path / "part.parquet"
    # mfu 1.2 and -0.1 leave [0, 1]; a step time of -1 s is negative; None is no violation
    pl.DataFrame({"mfu": [0.5, 1.2, -0.1, None], "step_time_s": [1.0, -1.0, 0.0, 2.0],
                  "note": ["a", "b", "c", "d"]}).write_parquet(part)
    assert out_of_range_counts(part, Tiny) == {"mfu": 2, "step_time_s": 1}


def test_a_clean_part_counts_nothing(tmp_path):
    part = tmp_path / "part.parquet"
    pl.DataFrame({"mfu": [0.0, 1.0], "step_time_s": [0.0, 3.0], "note": ["a", "b"]}).write_parquet(part)
    assert out_of_range_counts(part, Tiny) == {}


def test_counts_per_file_name_only_the_files_with_rows_outside(tmp_path):
    bad, clean = tmp_path / "bad.parquet", tmp_path / "clean.parquet"
    pl.DataFrame({"mfu": [1.5, 0.2], "step_time_s": [1.0, 2.0], "note": ["a", "b"]}).write_parquet(bad)
    pl.DataFrame({"mfu": [0.1], "step_time_s": [1.0], "note": ["c"]}).write_parquet(clean)
    assert out_of_range_by_file([bad, clean], Tiny) == {bad: {"mfu": 1}}
