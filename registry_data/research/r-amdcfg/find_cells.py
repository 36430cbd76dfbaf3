"""The vLLM engine settings of the MLPerf Inference v5.1 Llama 2 70B (99 %) rows run on AMD's harness (Server,
Interactive and Offline; AMD, ASUSTeK, Dell, GigaComputing, MiTAC, Quanta Cloud Technology, Vultr), from each
submitter's own harness config (``<code>/llama2-70b-99/harness_llm/models/llama2-70b/<scenario>_<gpu>.yaml``, the file
its run's ``--config-name <scenario>_<gpu>`` names; ASUSTeK's ``code_AMD/``), read statically (regular expressions on
the text, nothing of the submission is run). The same four settings as r-prefbatch's Mixtral rows: ``max_num_seqs`` ->
``batch``, ``max_num_batched_tokens`` -> ``max_num_tokens``, ``tensor_parallel_size`` -> ``tp``,
``num_scheduler_steps`` -> ``scheduler_steps`` (except where it is 1, vLLM's default, which the catalog leaves
unstated: the Interactive MI325X files); on Offline rows max_num_seqs is not stated as ``batch``: there the column is
the batch the run ran (``serving_rows.serving_spec`` takes it as the one batch), while vLLM admits sequences only
while KV blocks remain, so the cap (2,700 on MI325X, 1,792 on MI300X) is not the batch it ran. r-prefbatch's Mixtral
rows are not re-read; MangoBoost's and Dell_MangoBoost's runs (LLMBoost, whose harness files sit under another layout)
are left out. Writes cells.csv (replayed by ``apply.py``) and held.csv (cells stated but held back: ``HELD``); stops
where a cell the catalog already states disagrees with its config.

    .venv/bin/python registry_data/research/r-amdcfg/find_cells.py V51_MIRROR [CATALOG]
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("r_prefbatch_find", HERE.parent / "r-prefbatch" / "find_cells.py")
prefbatch = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(prefbatch)  # one reader of the harness yamls (its ``settings`` and ``KEYS``)

REPOSITORY = prefbatch.REPOSITORY
CODE = prefbatch.CODE  # submitter (the name's prefix) -> its code folder
SCENARIO = {"server": "server", "interactive": "interactive", "offline": "offline"}  # name's scenario -> yaml stem
DEFAULT_STEPS = 1  # vLLM's num_scheduler_steps default (single-step scheduling), left unstated as elsewhere
WHY = "{submitter}'s Llama 2 70B {scenario} harness config for {gpu}: vllm_engine_config '{key}: {value}'"
# Stated by the configs but held out of cells.csv (written to held.csv, not replayed): max_num_seqs 650 of the MI300X
# Server yaml. Replayed, it loses the Dell MI300X Server TTFT and TPOT rows to wall 7's iterated load fixed point
# (r-fixpt: rows near saturation gain or lose a prediction with the step count), which the rule forbids; the lead
# decides (README, mi300x_server_batch.patch empties this set).
HELD = {("MI300X", "server", "batch")}
# the submitter is one of CODE's names; "dell-mangoboost-" is not "dell-" (a LLMBoost run, left out)
NAME = (rf"^mlperf-inf-v5\.1-(?P<submitter>{'|'.join(CODE)})-(?P<rest>.*)-llama2-70b-99-"
        r"(?P<scenario>server|interactive|offline)")


def rows(catalog: Path) -> pl.DataFrame:
    """The catalog's v5.1 Llama 2 70B (99 %) vLLM rows on MI300X / MI325X, with their submitter and scenario."""
    m = pl.read_parquet(catalog)
    parts = pl.col("name").str.extract_groups(NAME)
    return (m.filter(pl.col("framework").str.contains("(?i)vllm") & pl.col("hardware").is_in(["MI300X", "MI325X"])
                     & pl.col("name").str.contains(r"^mlperf-inf-v5\.1-.*-llama2-70b-99-"))
            .with_columns(parts.struct.field("submitter"), parts.struct.field("scenario").alias("yaml_scenario"))
            .filter(pl.col("submitter").is_in(list(CODE)) & ~pl.col("name").str.contains("-mangoboost-")))


def main(mirror: Path, catalog: Path) -> pl.DataFrame:
    commit = prefbatch.git(mirror, "rev-parse", "HEAD").strip()
    cells = []
    for r in rows(catalog).iter_rows(named=True):
        gpu, scenario = r["hardware"].lower(), SCENARIO[r["yaml_scenario"]]
        path = f"{CODE[r['submitter']]}/llama2-70b-99/harness_llm/models/llama2-70b/{scenario}_{gpu}.yaml"
        found = prefbatch.settings(mirror, commit, path)
        if set(found) != set(prefbatch.KEYS):
            sys.exit(f"{r['name']}: {path} states {sorted(found)}, not the four engine settings")
        for key, (value, line) in found.items():
            column = prefbatch.KEYS[key]
            if column == "scheduler_steps" and value == DEFAULT_STEPS:
                continue
            if column == "batch" and r["yaml_scenario"] == "offline":
                continue  # max_num_seqs is a cap the KV cache binds first offline; the catalog's batch is the run's
            if r[column] is not None and r[column] != value:
                sys.exit(f"{r['name']}: {column} {r[column]} in the catalog, {value} in {path}#L{line}")
            cells.append({"name": r["name"], "hardware": r["hardware"], "yaml_scenario": r["yaml_scenario"],
                          "column": column, "value": value, "repository": REPOSITORY,
                          "commit": commit, "path": path, "line": line,
                          "why": WHY.format(submitter=r["submitter"], scenario=scenario, gpu=r["hardware"],
                                            key=key, value=value)})
    out = pl.DataFrame(cells).sort("name", "column")
    held = pl.col("gpu_scenario_column").is_in([" ".join(h) for h in HELD])
    out = out.with_columns(gpu_scenario_column=pl.format("{} {} {}", "hardware", "yaml_scenario", "column"))
    out.filter(held).drop("hardware", "yaml_scenario", "gpu_scenario_column").write_csv(HERE / "held.csv")
    out = out.filter(~held).drop("hardware", "yaml_scenario", "gpu_scenario_column")
    out.write_csv(HERE / "cells.csv")
    return out


if __name__ == "__main__":
    catalog = Path(sys.argv[2]) if len(sys.argv) > 2 else HERE.parent.parent / "measurements.parquet"
    print(main(Path(sys.argv[1]), catalog).group_by("column").len())
