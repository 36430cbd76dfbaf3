"""registry_data/research/r-v60: the MLPerf Inference v6.0 rows are the logs' own figures (checked by hand against
the quoted lines), cite the canonical results file and the copy read, state the precision the run's measurements JSON
states and only what the run's config states, one accuracy target's log per run, and a second run of add_rows.py
changes nothing."""

from __future__ import annotations

import shutil
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import read_catalog, write_catalog
from tests.catalogs.research import script

HERE = Path(__file__).resolve().parents[2] / "registry_data" / "research" / "r-v60"
CANONICAL = "https://github.com/mlcommons/inference_results_v6.0/blob/main/"
HELD = pl.col("notes").str.contains("MLPerf Inference v6.0 closed datacenter (", literal=True)
ADD = script(HERE / "add_rows.py", "add_rows_v60")
COLLECT = script(HERE / "collect.py", "collect_v60")
CONFIGS = script(HERE / "configs.py", "configs_v60")


def _rows() -> pl.DataFrame:
    return read_catalog("measurements").filter(HELD)


def test_the_rows_are_the_logs_figures():
    rows = _rows()
    # 363 rows, and since r-gptisl sourced the GPT-OSS performance set's prompt length, its 90 GPT-OSS 120B rows
    assert rows.height == 453 and rows["source_quality"].eq("secondary").all()
    copy = "read from gbeezybez/inference_results_v6.0 @232fbf9, an upload"
    assert rows["notes"].str.contains(copy, literal=True).all()
    nvidia = {r["metric"]: r for r in rows.filter(pl.col("name").str.starts_with(
        "mlperf-inf-v6.0-nvidia-b300-sxm-270gbx8-trt-deepseek-r1-server")).iter_rows(named=True)}
    # closed/NVIDIA/results/B300-SXM-270GBx8_TRT/deepseek-r1/Server/performance/run_1/mlperf_log_summary.txt, read by
    # hand: line 7 'Completed samples per second    : 11.39', line 8 'Completed tokens per second: 42721.39', line 22
    # 'Scheduled samples per second : 11.53', line 37 '50.00 percentile first token latency (ns)   : 512144735',
    # line 46 'Mean Time per Output Token (ns)               : 59389965'; 42721.39 / 11.39 = 3750.8 tokens a sample
    assert (nvidia["tokens_per_s"]["value"], nvidia["tokens_per_s"]["request_rate"]) == (42721.39, 11.53)
    assert (nvidia["ttft_s"]["value"], nvidia["ttft_s"]["unit"], nvidia["ttft_s"]["statistic"]) == (512.144735, "ms",
                                                                                                    "p50")
    assert (nvidia["itl_s"]["value"], nvidia["itl_s"]["statistic"]) == (59.389965, "mean")
    assert {r["output_len"] for r in nvidia.values()} == {3751}
    # its config (closed/NVIDIA/configs/B300-SXM-270GBx8/Server/deepseek-r1.py): tensor_parallelism 8 with
    # enable_attention_dp True (the catalog's tp 1), moe_expert_parallelism 8, runtime max_num_tokens 4608, fp8 KV;
    # its measurements.json: "weight_data_types": "fp4"; 8 B300 on 1 node
    # lines 65-66 gpu_batch_size {'deepseek-r1': 640} per attention rank x 8 = 5120 (under line 45's max_concurrency
    # 10240); lines 49 / 52: balancing on, timeout_iters 9
    assert {(r["tp"], r["pp"], r["ep"], r["max_num_tokens"], r["kv_dtype"], r["batch"],
             r["adp_balancing_timeout_iters"], r["compute_dtype"], r["devices"], r["hardware"], r["framework"])
            for r in nvidia.values()} == {(1, 1, 8, 4608, "fp8", 5120, 9, "fp4", 8, "B300 (HGX B300)", "TensorRT-LLM")}


def test_each_row_cites_its_log_and_the_precision_its_measurements_json_states():
    rows = _rows()
    assert rows["source_url"].str.starts_with(CANONICAL).all()
    assert rows["source_url"].str.contains(r"/closed/[^/]+/results/[^/]+/[^/]+/[^/]+/performance/run_1/"
                                           r"mlperf_log_summary\.txt$").all()
    stated = rows["notes"].str.extract(r"measurements\.json line \d+: \"weight_data_types\": \"([^\"]+)\"")
    assert stated.is_not_null().all()
    assert (stated.str.to_lowercase().replace(COLLECT.DTYPES) == rows["weight_dtype"]).all()
    # the GEMMs run at that precision, except GPT-OSS's MXFP4 experts: at the activations' precision its framework or
    # setup states (r-gptisl), fp8 or bf16, never fp4, each with its evidence in the notes
    gptoss = pl.col("model") == "GPT-OSS 120B"
    assert (rows.filter(~gptoss)["compute_dtype"] == rows.filter(~gptoss)["weight_dtype"]).all()
    assert set(rows.filter(gptoss)["compute_dtype"]) == {"fp8", "bf16"}
    assert rows.filter(gptoss)["notes"].str.contains("GPT-OSS (r-gptisl): compute_dtype ", literal=True).all()
    assert rows.filter(gptoss & (pl.col("hardware") == "H200 SXM 141GB"))["compute_dtype"].unique().to_list() == [
        "bf16"]  # Hopper has no FP8 x FP4 MoE path in vLLM: W4A16
    assert set(rows["hardware"]) <= set(read_catalog("hardware")["name"])
    assert set(rows["model"]) <= set(read_catalog("models")["name"])
    # a column the config states is cited in the row's notes; kv_cache is never stated, batch and the balancing wait
    # only on attention-DP runs (r-dsr1c, r-adpwait), the wait only on Server / Interactive rows
    for column in ("tp", "pp", "ep", "max_num_tokens", "kv_dtype", "weight_effective_bits", "scheduler_steps",
                   "batch", "adp_balancing_timeout_iters"):
        with_it = rows.filter(pl.col(column).is_not_null())
        assert with_it["notes"].str.contains(f"{column} ", literal=True).all(), column
    assert rows["kv_cache"].is_null().all()
    adp = rows.filter(pl.col("batch").is_not_null() | pl.col("adp_balancing_timeout_iters").is_not_null())
    assert adp["notes"].str.contains("enable_attention_dp True", literal=True).all()
    assert adp.filter(pl.col("scenario") == "offline")["adp_balancing_timeout_iters"].is_null().all()
    # disaggregated runs (NVIDIA's REPRODUCE.md says so, or the config's nearest variant is a Dynamo cluster) are left
    # out, with the line
    left = pl.read_csv(HERE / "v60_left_out.csv")
    disaggregated = left.filter(pl.col("reason").str.starts_with("disaggregated"))["reason"]
    assert disaggregated.str.contains(r"REPRODUCE\.md line \d+: '# (Server|Interactive) \(disaggregated|"
                                      r"dynamo_cluster").all() and disaggregated.len() == 15
    # GPT-OSS 120B's rows wait on the performance set's input_tokens_mean (r-gptisl states it): none is left out now
    gptoss = rows.filter(pl.col("model") == "GPT-OSS 120B")
    assert gptoss.height == 90 and set(gptoss["dataset"]) == {"mlperf-gpt-oss-120b-perf"}
    assert pl.read_csv(HERE / "v60_rows_left_out.csv").height == 0


def test_the_selection_rule():
    rows = _rows()
    path = rows["source_url"].str.replace(CANONICAL, "", literal=True)
    keys = path.map_elements(ADD.run_key, return_dtype=pl.String)
    # one log per run: of a run submitted under both accuracy targets, the -99 one
    both = pl.read_csv(HERE / "v60_runs.csv", infer_schema=False).with_columns(
        key=pl.col("log").map_elements(ADD.run_key, return_dtype=pl.String)).group_by("key").len().filter(
        pl.col("len") > 1)["key"]
    logs = pl.DataFrame({"key": keys, "log": path}).unique()
    assert logs.group_by("key").len()["len"].max() == 1
    assert logs.filter(pl.col("key").is_in(both.implode()))["log"].str.contains("-99.9/", literal=True).sum() == 0
    left = pl.read_csv(HERE / "v60_left_out.csv", infer_schema=False)
    assert left["reason"].is_not_null().all() and not set(left["log"]) & set(path)


def test_from_a_catalog_without_them_the_script_adds_exactly_them_once(tmp_path):
    for parquet in HERE.parents[1].glob("*.parquet"):
        shutil.copy(parquet, tmp_path / parquet.name)
    bundled = read_catalog("measurements")
    write_catalog(bundled.filter(~HELD), "measurements", tmp_path)
    add_rows = script(HERE / "add_rows.py", "add_rows_v60_fresh")
    add_rows.REGISTRY = tmp_path
    runs = []
    for _ in range(2):  # the second run finds every row held and writes nothing
        add_rows.main(left_out=None)
        runs.append(pl.read_parquet(tmp_path / "measurements.parquet"))
    assert runs[1].equals(runs[0])
    # r-ttftmap's scheduler_steps of six v6.0 AMD-harness Interactive runs, replayed after the rows exist
    ttftmap = script(HERE.parent / "r-feas" / "apply.py", "apply_ttftmap_after_v60")
    ttftmap.apply(tmp_path, HERE.parent / "r-ttftmap", {})
    assert read_catalog("measurements", tmp_path).sort("name").equals(bundled.sort("name"))


def test_the_config_reader_on_a_hand_written_config():
    text = ("import os\nimport code.llmlib.fields as llm_fields\nos.environ['X'] = '1'\n"
            "base = {\n    llm_fields.tensor_parallelism: 8,\n    llm_fields.trtllm_runtime_flags: {\n"
            "        'max_num_tokens': 4638 * 3,\n    },\n}\n"
            "other = {**base, llm_fields.pipeline_parallelism: 2}\n"
            "EXPORTS = {\n    C.WorkloadSetting(C.HarnessType.Custom, C.AccuracyTarget(0.99), C.PowerSetting.MaxP):"
            " other,\n    C.WorkloadSetting(C.HarnessType.Custom, C.AccuracyTarget(0.999), C.PowerSetting.MaxP): base,"
            "\n}\n")
    fields = CONFIGS.setting(text, "Custom", 0.99)
    assert CONFIGS.field(fields, "tensor_parallelism") == (8, 5)  # the value, and the line it is on
    assert CONFIGS.field(fields, "pipeline_parallelism") == (2, 10)
    assert CONFIGS.flag(fields, "trtllm_runtime_flags", "max_num_tokens") == (13914, 7)  # 4638 * 3
    assert CONFIGS.field(CONFIGS.setting(text, "Custom", 0.999), "pipeline_parallelism") == (None, None)
    assert CONFIGS.setting(text, "Triton", 0.99) is None
    assert CONFIGS.settings("~import code\n") == {}  # not Python: states nothing


def test_nvidias_reproduction_commands_name_the_instance_and_the_disaggregated_runs():
    text = ("## Llama2-70b\n\n### GB200x72\n\n```bash\n# Offline\nsalloc --nodes=18\n./scaleout/run_scaleout.sh \\\n"
            "    --atomic-system GB200-NVL72_GB200-186GB_aarch64x1 \\\n    --dp-multiplicity 72\n\n"
            "# Server (disaggregated, run from closed/NVIDIA/scripts/slurm_llm):\n./disagg.sh --target-qps 3000\n```\n")
    plan = COLLECT.launches(text)
    assert plan[("llama2-70b", "GB200x72", "offline")] == {
        "line": 6, "comment": "# Offline", "disaggregated": False, "atomic": "GB200-NVL72_GB200-186GB_aarch64x1",
        "dp": 72}
    assert plan[("llama2-70b", "GB200x72", "server")]["disaggregated"]
    run = COLLECT.launch(plan, "NVIDIA", "GB200-NVL72_GB200-186GB_aarch64x72_TRT", "llama2-70b-99", "Offline")
    assert run["atomic"] == "GB200-NVL72_GB200-186GB_aarch64x1"
    assert COLLECT.launch(plan, "Dell", "GB200-NVL72_GB200-186GB_aarch64x72_TRT", "llama2-70b-99", "Offline") is None


def test_collect_keeps_only_valid_logs_and_names_one_framework():
    valid = "Scenario : Server\nCompleted tokens per second: 100327.65\nResult is : VALID\nMin latency (ns) : 7\n"
    assert COLLECT.stated_lines(valid) == [(2, "Completed tokens per second: 100327.65")]
    assert COLLECT.stated_lines(valid.replace("VALID", "INVALID")) == []
    amd = {"framework": "PyTorch 2.9.1+git8907517, ROCm 7.0.0", "other_software_stack": "hipblaslt, vllm-11b6af52"}
    assert COLLECT.framework(amd, "Llama 2 70B") == ("vLLM", "'other_software_stack': 'hipblaslt, vllm-11b6af52'")
    assert COLLECT.framework({"framework": "TensorRT 10.14, TensorRT-LLM, vLLM CentML"}, "DeepSeek-R1")[0] == "several"
    assert COLLECT.framework({"framework": "ROCm", "other_software_stack": "LLMBoost"}, "Llama 2 70B") == ("", "")
