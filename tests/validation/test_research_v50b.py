"""registry_data/research/r-v50b: the MLPerf Inference v5.1 rows are the logs' own figures (checked by hand against
the quoted lines), cite a pinned results log, state the precision the run's measurements JSON states, are runs the
catalog held no log of (one accuracy target's log each), and a second run of add_rows.py changes nothing."""

from __future__ import annotations

import datetime
import runpy
import shutil
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-v50b"
PINNED = "https://github.com/mlcommons/inference_results_v5.1/blob/965182b03376a00fcae415c54e560e1c83937932/"
HELD = pl.col("notes").str.contains("MLPerf Inference v5.1 closed datacenter (", literal=True)
ADD = script(HERE / "add_rows.py", "add_rows_v50b")
COLLECT = script(HERE / "collect.py", "collect_v50b")


def _rows() -> pl.DataFrame:
    return read_catalog("measurements").filter(HELD)


def test_the_rows_are_the_logs_figures():
    rows = _rows()
    later = pl.concat([pl.read_csv(HERE.parent / f / "cells.csv").select("name")
                       for f in ("r-dsr1c", "r-h70sat", "r-prefbatch", "r-amdcfg", "r-hop70")])
    dsr1c = pl.col("name").is_in(later["name"].implode())  # r-dsr1c, r-h70sat, r-prefbatch, r-amdcfg, r-hop70: 7th
    verified = rows.select(pl.when(dsr1c).then(datetime.date(2026, 12, 7)).otherwise(datetime.date(2026, 12, 6)))
    assert rows.height == 432 and (rows["last_verified"] == verified.to_series()).all()
    vultr = {r["metric"]: r for r in rows.filter(pl.col("name").str.starts_with(
        "mlperf-inf-v5.1-vultr-8xmi325x-2xepyc-9554-llama2-70b-99-server")).iter_rows(named=True)}
    # closed/Vultr/results/8xMI325X_2xEPYC_9554/llama2-70b-99/Server/.../mlperf_log_summary.txt lines 7, 8, 22, 37,
    # 46: 'Completed samples per second : 101.00', 'Completed tokens per second: 30339.40', 'Scheduled samples per
    # second : 103.49', '50.00 percentile first token latency (ns) : 941909898', 'Mean Time to Output Token (ns) :
    # 113335108'; 30339.40 / 101.00 = 300.4 tokens per sample; its measurements JSON '"weight_data_types": "fp8"'
    # and code/llama2-70b-99/harness_llm/models/llama2-70b/server_mi325x.yaml line 31 'num_scheduler_steps: 9'
    assert vultr["tokens_per_s"]["value"] == 30339.4 and vultr["tokens_per_s"]["request_rate"] == 103.49
    assert (vultr["ttft_s"]["value"], vultr["ttft_s"]["unit"], vultr["ttft_s"]["statistic"]) == (941.909898, "ms",
                                                                                                  "p50")
    assert (vultr["itl_s"]["value"], vultr["itl_s"]["statistic"]) == (113.335108, "mean")
    assert {(r["output_len"], r["scheduler_steps"], r["compute_dtype"], r["devices"], r["hardware"], r["framework"])
            for r in vultr.values()} == {(300, 9, "fp8", 8, "MI325X", "vLLM")}
    # closed/Dell/results/R470-L4-PCIE-24GBx2_TRT/retinanet/Server/...: line 7 'Completed samples per second :
    # 428.12', line 19 'Scheduled samples per second : 428.14'; system JSON: 2 L4 per node, 1 node; JSON int8
    dell = rows.filter(pl.col("name") == "mlperf-inf-v5.1-dell-r470-l4-pcie-24gbx2-trt-retinanet-server").row(
        0, named=True)
    assert (dell["value"], dell["unit"], dell["request_rate"], dell["devices"], dell["compute_dtype"]) == (
        428.12, "1/s", 428.14, 2, "int8")
    assert dell["output_len"] is None and dell["scenario"] == "server"
    # closed/Dell/configs/XE9680L_B200_SXM_180GBx8/{Offline,Server}/llama3_1-405b.py lines 18-19:
    # 'llm_fields.tensor_parallelism: 2,' 'llm_fields.pipeline_parallelism: 2,' (Offline); 4 and 1 (Server,
    # Interactive)
    layout = {r["name"].rsplit("405b-", 1)[1]: (r["tp"], r["pp"]) for r in rows.filter(pl.col("name").str.starts_with(
        "mlperf-inf-v5.1-dell-xe9680l-b200-sxm-180gbx8-trt-llama3.1-405b-")).iter_rows(named=True)}
    assert layout == {"offline": (2, 2), "server": (4, 1), "server-ttft-p50": (4, 1), "server-tpot-mean": (4, 1),
                      "interactive": (4, 1), "interactive-ttft-p50": (4, 1), "interactive-tpot-mean": (4, 1)}


def test_each_row_cites_its_log_and_the_precision_its_measurements_json_states():
    rows = _rows()
    assert rows["source_url"].str.starts_with(PINNED).all()
    assert rows["source_url"].str.contains(r"/closed/[^/]+/results/[^/]+/[^/]+/[^/]+/performance/run_1/"
                                           r"mlperf_log_summary\.txt$").all()
    stated = rows["notes"].str.extract(r"measurements/[^ ]+\.json line \d+: \"weight_data_types\": \"([^\"]+)\"")
    assert stated.is_not_null().all()
    assert (stated.str.to_lowercase().replace(COLLECT.DTYPES) == rows["compute_dtype"]).all()
    assert (rows["weight_dtype"] == rows["compute_dtype"]).all()
    assert set(rows["hardware"]) <= set(read_catalog("hardware")["name"])
    assert set(rows["model"]) <= set(read_catalog("models")["name"])
    laid_out = rows.filter(pl.col("tp").is_not_null())  # only where the run's own config says so (r-v50b, or
    # r-cfgs for a config of two settings whose Custom one the log's rate names, or r-prefbatch an AMD harness's)
    assert laid_out["notes"].str.contains(r"Layout \(this scenario's config\): closed/[^/]+/configs/|"
                                          r"\[tp = \d+: https://github.com/mlcommons/[^ ]+/(configs|harness_llm/"
                                          r"models)/").all()
    # batch: only r-dsr1c's DeepSeek-R1 rows and r-h70sat's Server caps, from their configs' gpu_batch_size, and
    # r-prefbatch's AMD Mixtral Server rows and r-amdcfg's AMD-harness Llama 2 70B rows, from their harness yamls'
    # max_num_seqs, and r-hop70's Hopper Llama 2 70B Server / Interactive caps (gpu_batch_size)
    dsr1c = pl.concat([pl.read_csv(HERE.parent / f / "cells.csv").filter(pl.col("column") == "batch")
                       .select("name") for f in ("r-dsr1c", "r-h70sat", "r-prefbatch", "r-amdcfg", "r-hop70")])["name"]
    dsr1c = dsr1c.filter(dsr1c.is_in(rows["name"].implode()))
    vllm = pl.concat([pl.read_csv(HERE.parent / f / "cells.csv") for f in ("r-prefbatch", "r-amdcfg")])["name"]
    assert (laid_out.filter(~pl.col("name").is_in(vllm.implode()))["framework"] == "TensorRT-LLM").all()
    assert rows.filter(pl.col("batch").is_not_null())["name"].sort().equals(dsr1c.sort())
    steps = rows.filter(pl.col("scheduler_steps").is_not_null())  # only where the run's own harness yaml says so
    assert steps["notes"].str.contains("num_scheduler_steps: ", literal=True).all()
    amdcfg = pl.read_csv(HERE.parent / "r-amdcfg" / "cells.csv").filter(pl.col("column") == "scheduler_steps")
    offline = steps.filter(pl.col("scenario") != "server")  # r-amdcfg's Offline rows (the harness's offline yaml)
    assert (steps["framework"] == "vLLM").all() and offline["name"].is_in(amdcfg["name"].implode()).all()
    # 33, r-prefbatch's ASUSTeK MI325X Mixtral Server rows (3) and r-amdcfg's ASUSTeK Server and the Offline rows
    # (3 + 7); N = 1, vLLM's default, is left unstated
    assert offline.height == 7 and steps.height == 46 and steps["scheduler_steps"].min() > 1


def test_the_selection_rule():
    catalog = read_catalog("measurements")
    rows = catalog.filter(HELD)
    path = pl.col("source_url").str.extract(r"/blob/[0-9a-f]+/(.*)$")
    key = path.map_elements(ADD.run_key, return_dtype=pl.String)
    held = rows.select(key=key, url=pl.col("source_url"))
    # one log per run (of a run submitted under both accuracy targets, the -99 log)
    assert held.group_by("key").agg(pl.col("url").n_unique())["url"].max() == 1
    both = pl.read_csv(HERE / "v51_runs.csv", infer_schema=False).with_columns(
        key=pl.col("log").map_elements(ADD.run_key, return_dtype=pl.String)).group_by("key").len().filter(
        pl.col("len") > 1)["key"]
    assert held.filter(pl.col("key").is_in(both.implode()))["url"].str.contains("-99.9/", literal=True).sum() == 0
    # the catalog held no log of these runs before: no other row cites a log of the same run
    earlier = catalog.filter(~HELD & pl.col("source_url").str.contains("inference_results_v5.1", literal=True))
    assert not set(earlier.select(key=key)["key"].drop_nulls()) & set(held["key"])
    left = pl.read_csv(HERE / "v51_left_out.csv", infer_schema=False)
    assert left["reason"].is_not_null().all() and not set(left["log"]) & set(held["url"].str.replace(PINNED, ""))


def test_from_a_catalog_without_them_the_script_adds_exactly_them_once(tmp_path):
    for parquet in HERE.parents[1].glob("*.parquet"):
        shutil.copy(parquet, tmp_path / parquet.name)
    bundled = read_catalog("measurements")
    write_catalog(bundled.filter(~HELD), "measurements", tmp_path)
    add_rows = script(HERE / "add_rows.py", "add_rows_v50b_fresh")
    add_rows.REGISTRY = tmp_path
    runs = []
    for _ in range(2):  # the second run finds every run held and writes nothing
        add_rows.main()
        runs.append(pl.read_parquet(tmp_path / "measurements.parquet"))
    runpy.run_path(str(HERE.parent / "r-mixbits" / "apply.py"))["main"](tmp_path)  # then HPE's effective bits
    # r-cfgs then states what these runs' configs say (budget, layout) on the rows it names
    script(HERE.parent / "r-cfgs" / "apply.py", "apply_cfgs_after_v50b").apply(tmp_path)
    script(HERE.parent / "r-dsr1c" / "apply.py", "apply_dsr1c_after_v50b").apply(tmp_path)  # DeepSeek-R1 layouts
    script(HERE.parent / "r-h70sat" / "apply.py", "apply_h70sat_after_v50b").apply(tmp_path)  # Server batch caps
    script(HERE.parent / "r-adpwait" / "apply.py", "apply_adpwait_after_v50b").apply(tmp_path)  # ADP timeouts
    script(HERE.parent / "r-prefbatch" / "apply.py", "apply_prefbatch_after_v50b").apply(tmp_path)  # AMD vLLM engines
    script(HERE.parent / "r-amdcfg" / "apply.py", "apply_amdcfg_after_v50b").apply(tmp_path)  # AMD Llama 2 engines
    script(HERE.parent / "r-hop70" / "apply.py", "apply_hop70_after_v50b").apply(tmp_path)  # Hopper 70B engines
    assert read_catalog("measurements", tmp_path).sort("name").equals(bundled.sort("name"))
    assert runs[1].equals(runs[0])


def test_rows_take_the_catalogs_columns_whatever_they_are():
    catalog = pl.DataFrame({"name": ["a"], "value": [1.0], "added_later": [3]})
    merged = ADD.merged(catalog, pl.DataFrame({"name": ["b"], "value": [2], "not_a_column": ["x"]}))
    assert merged.columns == ["name", "value", "added_later"] and merged.schema == catalog.schema
    assert merged.row(1) == ("b", 2.0, None)


def test_collect_keeps_only_valid_logs():
    collect = COLLECT
    valid = "Scenario : Server\nCompleted samples per second    : 428.12\nResult is : VALID\nMin latency (ns) : 7\n"
    assert collect.stated_lines(valid) == [(2, "Completed samples per second    : 428.12")]
    assert collect.stated_lines(valid.replace("VALID", "INVALID")) == []
    assert collect.framework("TensorRT 10.11, CUDA 12.9", "RetinaNet") == "TensorRT"
    assert collect.framework("TensorRT 10.11, CUDA 12.9", "Llama 2 70B") == "TensorRT-LLM"
    assert collect.framework("Mango LLMBoost AI Enterprise Platform, ROCm 6.12.12", "Llama 2 70B") == ""
