"""registry_data/research/r-accg5/conv_layers.py and the conv_layers catalog it writes (ResNet-50's convs as implicit
GEMMs): the stored rows are the script's, they add up to the models catalog's FLOPs, bad rows name their table, row
and column."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog, validate
from pipeline.errors import InputError
from pipeline.studies.node_graphs import conv_shapes, with_slots
from pipeline.walls.graph_convs import CONV_FIELDS, CONV_KEY, CONV_SLOTS, slot
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-accg5"


@pytest.fixture(scope="module")
def layers():
    return script(HERE / "conv_layers.py", "r_accg5_conv_layers")


def test_the_catalog_is_the_scripts_output(layers):
    stored = read_catalog("conv_layers")
    assert stored.equals(layers.catalog(read_catalog("models")).select(stored.columns))


def test_resnet50_is_53_convs_and_the_fc_in_21_shapes_of_the_catalogs_flops():
    """torchvision resnet50 at 224 px: stem 7 x 7 (M 112^2 = 12,544, N 64, K 3 x 49 = 147), 16 bottlenecks x 3 convs,
    4 projections, the fc (M 1, N 1,000, K 2,048): 54 kernels; 2 x 4.089184 GMACs = 8.178 GFLOP (models catalog)."""
    rows = read_catalog("conv_layers").filter(pl.col("model") == "ResNet-50")
    assert rows.height == 21 and rows["count"].sum() == 54
    stem = rows.filter(pl.col("positions") == 12544).row(0, named=True)
    assert (stem["out_channels"], stem["reduction"], stem["in_channels"], stem["count"]) == (64, 147, 3, 1)
    macs = (rows["positions"] * rows["out_channels"] * rows["reduction"] * rows["count"]).sum()
    assert macs == 4_089_184_256
    assert 2 * macs == pytest.approx(8.178e9, rel=1e-4)


def test_a_bad_row_names_its_table_row_and_column():
    rows = read_catalog("conv_layers").with_columns(
        pl.when(pl.int_range(pl.len()) == 2).then(0).otherwise(pl.col("count")).alias("count"))
    with pytest.raises(InputError) as err:
        validate(rows, "conv_layers", "catalog 'conv_layers' (test)")
    assert "conv_layers" in str(err.value) and "count" in str(err.value)


def test_a_model_with_more_shapes_than_the_slots_is_refused_by_row_and_column():
    rows = read_catalog("conv_layers").filter(pl.col("model") == "ResNet-50").head(1)
    many = pl.concat([rows.with_columns(pl.lit(f"x{i}").alias("name"), pl.lit(i + 1).alias("positions"))
                      for i in range(CONV_SLOTS + 1)])
    with pytest.raises(InputError) as err:
        conv_shapes(many)
    text = str(err.value)
    assert "conv_layers" in text and f"row {CONV_SLOTS + 1}" in text and "model" in text and "x24" in text


def test_the_slots_read_from_the_models_key_are_its_catalog_rows():
    """ResNet-50's one key read back slot by slot (``node_graphs.with_slots``) gives the catalog's shapes in its order,
    null past the last, and its kernels the counts' sum (53 convs + the fc)."""
    convs = read_catalog("conv_layers").filter(pl.col("model") == "ResNet-50")
    keys, kernels = conv_shapes(convs)
    frame = pl.DataFrame({CONV_KEY: [keys["ResNet-50"], None]}).with_columns(pl.col(CONV_KEY).cast(pl.Categorical))
    read, none = with_slots(frame, {CONV_KEY: None})[0].iter_rows(named=True)
    for j, row in enumerate(convs.iter_rows(named=True)):
        assert [read[slot(j, f)] for f in CONV_FIELDS] == [float(row[c]) for c in CONV_FIELDS.values()]
    assert all(read[slot(j, f)] is None for j in range(convs.height, CONV_SLOTS) for f in CONV_FIELDS)
    assert all(v is None for v in none.values())
    assert kernels["ResNet-50"] == convs["count"].sum() == 54
