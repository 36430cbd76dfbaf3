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


def test_resnet50_is_53_convs_and_the_fc_in_22_rows_of_the_catalogs_flops():
    """torchvision resnet50 at 224 px: stem 7 x 7 (M 112^2 = 12,544, N 64, K 3 x 49 = 147), 16 bottlenecks x 3 convs,
    4 projections, the fc (M 1, N 1,000, K 2,048): 54 kernels; 2 x 4.089184 GMACs = 8.178 GFLOP (models catalog).
    21 shapes; res2's 10 convs (M 3,136) inside NVIDIA's RES2_FULL_FUSION kernel read the stage's 64 input channels
    once and write its 256 output channels once (rn50_graphsurgeon.py), so 22 rows; every other conv reads its
    input and writes its output."""
    rows = read_catalog("conv_layers").filter(pl.col("model") == "ResNet-50")
    assert rows.height == 22 and rows["count"].sum() == 54
    fused = pl.col("notes").str.contains("RES2_FULL_FUSION")
    res2 = rows.filter(fused)
    assert res2["count"].sum() == 10 and set(res2["positions"]) == {3136}
    assert (res2["read_channels"] * res2["count"]).sum() == 64
    assert (res2["written_channels"] * res2["count"]).sum() == 256
    rest = rows.filter(~fused)
    assert rest["read_channels"].equals(rest["in_channels"]) and rest["written_channels"].equals(rest["out_channels"])
    stem = rows.filter(pl.col("positions") == 12544).row(0, named=True)
    assert (stem["out_channels"], stem["reduction"], stem["in_channels"], stem["count"]) == (64, 147, 3, 1)
    macs = (rows["positions"] * rows["out_channels"] * rows["reduction"] * rows["count"]).sum()
    assert macs == 4_089_184_256
    assert 2 * macs == pytest.approx(8.178e9, rel=1e-4)


def test_retinanet_is_111_convs_in_35_shapes_of_the_catalogs_flops():
    """MLPerf RetinaNet at 800 px (r-mlpmodels' walker): 53 backbone convs, 8 FPN convs (3 laterals, 3 outputs, P6,
    P7), the heads' 10 convs at 5 levels = 111; 35 distinct shapes (the heads' 3 x 3 256 -> 256 at P3-P7 are 5 of
    them, 9 each); 2 x 201.21 GMACs = 402.4 GFLOP (models catalog); each conv its own kernel."""
    rows = read_catalog("conv_layers").filter(pl.col("model") == "RetinaNet")
    assert rows.height == 35 and rows["count"].sum() == 111
    flop = 2 * (rows["positions"] * rows["out_channels"] * rows["reduction"] * rows["count"]).sum()
    assert flop == pytest.approx(read_catalog("models").filter(pl.col("name") == "RetinaNet")
                                 ["forward_flop_per_sample"].item(), rel=1e-6)
    assert flop == pytest.approx(402.4e9, rel=1e-3)
    tower = rows.filter((pl.col("out_channels") == 256) & (pl.col("reduction") == 2304))
    assert sorted(tower["positions"].to_list()) == [49, 169, 625, 2500, 10000] and set(tower["count"]) == {9}
    assert rows["read_channels"].equals(rows["in_channels"]) and rows["written_channels"].equals(rows["out_channels"])


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
    assert "conv_layers" in text and f"row {CONV_SLOTS + 1}" in text and "model" in text and f"x{CONV_SLOTS}" in text


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
