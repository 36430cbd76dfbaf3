"""r-cfgs: what MLPerf Inference runs ran, from their own configs (registry_data/research/r-cfgs/README.md). The
class-style reader resolves a registered class by its system and MRO statically; apply.py replays cells.csv onto a
catalog by row name, only those cells, once."""

from __future__ import annotations

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog, write_catalog
from tests.catalogs.research import script
from tests.validation.test_research_v50b import HERE as V50B

HERE = V50B.parent / "r-cfgs"
CLASSCFG = script(HERE / "classcfg.py", "classcfg_cfgs")
APPLY = script(HERE / "apply.py", "apply_cfgs")
H70SAT = script(HERE.parent / "r-h70sat" / "apply.py", "apply_h70sat_cfgs")  # replayed after r-cfgs
HOP70 = script(HERE.parent / "r-hop70" / "apply.py", "apply_hop70_cfgs")  # and r-hop70 after it

BENCH = '''
class GPUBaseConfig(BenchmarkConfiguration):
    precision = "fp16"
    max_num_tokens = 4096
'''
SCENARIO = '''
ParentConfig = import_module("configs.llama2-70b")
GPUBaseConfig = ParentConfig.GPUBaseConfig


class ServerGPUBaseConfig(GPUBaseConfig):
    tensor_parallelism = 2
    pipeline_parallelism = 1


@ConfigRegistry.register(HarnessType.Custom, AccuracyTarget.k_99, PowerSetting.MaxP)
class Box_x1(ServerGPUBaseConfig):
    system = KnownSystem.Box_x1
    server_target_qps = 10 * 2
'''
CUSTOM = '''from . import *


class ServerGPUBaseConfig(GPUBaseConfig):
    tensor_parallelism = 4


@ConfigRegistry.register(HarnessType.Custom, AccuracyTarget.k_99_9, PowerSetting.MaxP)
class Other_x8(ServerGPUBaseConfig):
    system = KnownSystem.Other_x8
    max_num_tokens = 8192
'''


def test_a_class_inherits_along_its_own_files_scopes():
    """Box_x1 (scenario file) takes tp 2 from its file's base, not custom.py's re-definition (tp 4), and the budget
    from the benchmark's GPUBaseConfig; Other_x8 (custom.py) takes tp 4 from custom.py's base and its own 8192, and
    no pipeline depth: custom.py's base inherits GPUBaseConfig, not the scenario file's base (as Python would)."""
    custom, scen, bench = (CLASSCFG.classes(t, p) for t, p in ((CUSTOM, "c"), (SCENARIO, "s"), (BENCH, "b")))
    box = scen["Box_x1"]
    assert (box.system, box.setting) == ("Box_x1", ("Custom", "k_99", "MaxP"))
    assert box.attrs["server_target_qps"] == (..., 14)  # an expression: stated, not read
    got = {k: (v, c.path) for k in ("tensor_parallelism", "max_num_tokens", "pipeline_parallelism")
           for v, c in [CLASSCFG.lookup("Box_x1", k, [scen, bench])]}
    assert got == {"tensor_parallelism": (2, "s"), "max_num_tokens": (4096, "b"), "pipeline_parallelism": (1, "s")}
    other = [custom, scen, bench]
    assert CLASSCFG.lookup("Other_x8", "tensor_parallelism", other)[0] == 4
    assert CLASSCFG.lookup("Other_x8", "max_num_tokens", other)[0] == 8192
    assert CLASSCFG.lookup("Other_x8", "pipeline_parallelism", other) is None  # custom's base skips the scenario's
    assert scen["ServerGPUBaseConfig"].attrs["tensor_parallelism"] == (2, 7)


V50 = '''
class ServerBase(GPUBaseConfig):
    trtllm_build_flags = {
        'tensor_parallelism': 1,
        'pipeline_parallelism': 1,
    }
    trtllm_runtime_flags = {'max_num_tokens': 2048}


@ConfigRegistry.register(HarnessType.Custom, AccuracyTarget.k_99, PowerSetting.MaxP, "PP2")
class Box_PP2x1(ServerBase):
    system = KnownSystem.Box_x2
    server_target_qps = 25.25
    trtllm_build_flags = {'pipeline_parallelism': 2}


@ConfigRegistry.register(HarnessType.Custom, AccuracyTarget.k_99, PowerSetting.MaxP, "PP2")
class Box_PP2x4(Box_PP2x1):
    system = KnownSystem.Box_x8
    server_target_qps = Box_PP2x1.server_target_qps * 4 - 1
'''


def test_v50_flags_merge_along_the_mro_and_rates_evaluate():
    """TrtllmFlagsInherit: a class's flag dict updates its bases' (tp from the base, pp 2 from Box_PP2x1, the
    runtime budget from the base); 25.25 * 4 - 1 = 100; the fourth registration argument is the config version."""
    table = CLASSCFG.classes(V50, "v")
    build = CLASSCFG.merged("Box_PP2x4", "trtllm_build_flags", [table])
    assert {k: (v, c.name, c.keys["trtllm_build_flags"][k]) for k, (v, c) in build.items()} == {
        "tensor_parallelism": (1, "ServerBase", 4), "pipeline_parallelism": (2, "Box_PP2x1", 14)}
    assert CLASSCFG.merged("Box_PP2x4", "trtllm_runtime_flags", [table])["max_num_tokens"][0] == 2048
    assert CLASSCFG.number("Box_PP2x4", "server_target_qps", [table]) == 100.0
    assert table["Box_PP2x4"].config_ver == "PP2" and table["ServerBase"].setting is None


def test_system_ids_name_their_member():
    system_list = 'add_systems("H100_SXM_80GBx{}", "DGX-H100_H100-SXM-80GBx{}", cpu, gpu, [1, 8], mem)\n'
    custom = "custom_systems['Lenovo_2xL4'] = SystemConfiguration(layout={x: 2}, system_id=\"Lenovo_2xL4\")\n"
    assert CLASSCFG.system_members(system_list, custom) == {
        "DGX-H100_H100-SXM-80GBx1": "H100_SXM_80GBx1", "DGX-H100_H100-SXM-80GBx8": "H100_SXM_80GBx8",
        "Lenovo_2xL4": "Lenovo_2xL4"}


def test_each_cell_cites_a_config_line_and_replays_once(registry):
    cells = pl.read_csv(HERE / "cells.csv")
    assert cells.select("repository", "commit", "path", "line", "why").null_count().row(0) == (0,) * 5
    assert cells["path"].str.contains(r"^closed/[^/]+/configs/").all()
    assert not cells.select("name", "column").is_duplicated().any()
    bundled = read_catalog("measurements")
    blank = bundled.with_columns(  # only the cells r-cfgs owns are emptied; the rest stay as stated before it
        pl.when(pl.col("name").is_in(cells.filter(pl.col("column") == c)["name"].implode())).then(None)
        .otherwise(pl.col(c)).alias(c) for c in ("max_num_tokens", "tp", "pp"))
    write_catalog(blank, "measurements", registry)
    for _ in range(2):  # the second run finds every note and value in place
        APPLY.apply(registry)
        H70SAT.apply(registry)  # r-h70sat's Server caps, read on the 7th, on rows r-cfgs also states
        HOP70.apply(registry)  # r-hop70's Hopper 70B engine settings, read on the 7th, on rows r-cfgs also states
        assert read_catalog("measurements", registry).equals(bundled)


def test_a_cell_naming_no_row_stops_with_the_name(registry, monkeypatch, tmp_path):
    (tmp_path / "cells.csv").write_text("name,column,value,repository,commit,path,line,why\n"
                                        "no-such-row,tp,2,mlcommons/x,abc,closed/X/configs/a.py,3,test\n")
    monkeypatch.setattr(APPLY, "HERE", tmp_path)
    with pytest.raises(SystemExit, match="no single row named 'no-such-row'"):
        APPLY.apply(registry)
