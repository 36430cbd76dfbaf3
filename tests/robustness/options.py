"""One bad value for each option of every ``mlsys`` command. ``OPTIONS`` is read from the typer
app itself, so an option added without a case here fails ``test_every_option_has_a_case``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from pipeline.cli.app import app
from tests.robustness.harness import Case, Ctx
from tests.robustness.why import EVAL, SMALL

CLUSTER = "NVIDIA DGX SuperPOD DGX H100 (1 SU, 31 nodes)"
TRAIN = ("evaluate", "--model", "Llama 2 7B", "--cluster", CLUSTER, "--gpus", "8")
SERVE = (*EVAL, "--study", "serving")
KERNEL = ("evaluate", "--hardware", "H100 SXM5 80GB", "--op", "gemm", "--shape", "m=64,n=64,k=64")
CARD = (*EVAL, "--all-walls")
QUERY = ("query", "shortlist", "--param", "model=ResNet-50")
PLAN = ("serve-plan", "--model", "Llama 3.1 70B", "--hardware", "H100 SXM5 80GB", "--gpus", "8", "--ttft", "0.5s",
        "--tpot", "30ms", "--isl", "1024", "--osl", "256")  # a bad value given last replaces the good one
LLAMA = {"architectures": ["LlamaForCausalLM"], "hidden_act": "silu", "hidden_size": 4096,
         "intermediate_size": 11008, "max_position_embeddings": 4096, "model_type": "llama",
         "num_attention_heads": 32, "num_hidden_layers": 32, "num_key_value_heads": 32,
         "tie_word_embeddings": False, "vocab_size": 32000}  # meta-llama/Llama-2-7b-hf config.json
HF_URL = "https://huggingface.co/meta-llama/Llama-2-7b-hf/blob/main/config.json"


def options() -> list[tuple[str, str, tuple[str, ...]]]:
    """(command, parameter name, its flags) for every parameter of every command."""
    out = []

    def walk(command, path):
        if hasattr(command, "commands"):
            for name, sub in command.commands.items():
                walk(sub, [*path, name])
        else:
            out.extend((" ".join(path), p.name, tuple(p.opts)) for p in command.params)

    walk(typer.main.get_command(app), [])
    return out


def spec(ctx: Ctx) -> Path:
    return ctx.write("small.toml", SMALL)


def hf(ctx: Ctx) -> Path:
    return ctx.write("config.json", json.dumps(LLAMA))


def hf_import(*more):
    return lambda ctx: ctx.mlsys("catalog", "import", "--hf-config", hf(ctx), "--name", "Imported 7B",
                                 "--source-url", HF_URL, "--release-year", "2023", "--registry", ctx.registry(), *more)


def measured(ctx: Ctx) -> Path:
    from tests.robustness.why import measurements

    path = ctx.tmp / "m.csv"
    measurements().write_csv(path)
    return path


def cmd(*args, **kw):
    """A case runner: ``mlsys *args`` where callables among args are called with the context."""
    return lambda ctx: ctx.mlsys(*(a(ctx) if callable(a) else a for a in args), **kw)


def missing(ctx: Ctx) -> Path:
    return ctx.tmp / "no-such-folder"


def a_file(ctx: Ctx) -> Path:
    return ctx.write("a-file", "x")


def under_a_file(ctx: Ctx) -> Path:
    return a_file(ctx) / "out"


def runs(ctx: Ctx) -> Path:
    return ctx.runs


def first_run(ctx: Ctx) -> str:
    """The id of a complete run in the context's runs folder."""
    return next(p.name for p in sorted(ctx.runs.iterdir()) if (p / "manifest.json").exists())


def registry(ctx: Ctx) -> Path:
    return ctx.registry()


# (command, parameter) -> (the case's runner, expected exit code, what the message names, needs runs)
BAD: dict[tuple[str, str], tuple] = {
    ("sweep", "spec"): (cmd("sweep", "--spec", "no-such.toml", "--dry-run"), 2, ("no-such.toml",)),
    ("sweep", "out"): (cmd("sweep", "--spec", spec, "--out", under_a_file, "--no-map"), 1, ("cannot write",)),
    ("sweep", "dry_run"): (cmd("sweep", "--spec", spec, "--dry-run=yes"), 2, ("--dry-run",)),
    ("sweep", "registry"): (cmd("sweep", "--spec", spec, "--dry-run", "--registry", missing), 2, ("--registry",)),
    ("sweep", "show_map"): (cmd("sweep", "--spec", spec, "--dry-run", "--map=1"), 2, ("--map",)),
    ("sweep", "set_"): (cmd("sweep", "--spec", spec, "--dry-run", "--set", "hardware.tdp_w"), 2, ("--set",)),
    ("sweep", "max_rows"): (cmd("sweep", "--spec", spec, "--dry-run", "--max-rows", "-5"), 2, ("--max-rows",)),
    ("sweep", "force"): (cmd("sweep", "--spec", spec, "--dry-run", "--force=1"), 2, ("--force",)),
    ("sweep", "publish"): (cmd("sweep", "--spec", spec, "--dry-run", "--publish=1"), 2, ("--publish",)),
    ("sweep", "reuse"): (cmd("sweep", "--spec", spec, "--dry-run", "--reuse=1"), 2, ("--reuse",)),
    ("sweep", "executor"): (cmd("sweep", "--spec", spec, "--dry-run", "--executor", "spark"), 2, ("--executor",)),
    ("sweep", "scheduler"): (cmd("sweep", "--spec", spec, "--dry-run", "--scheduler", "tcp://h:8786"), 2,
                             ("--scheduler",)),
    ("sweep", "workers"): (cmd("sweep", "--spec", spec, "--dry-run", "--executor", "dask", "--workers", "0"), 2,
                           ("--workers",)),
    ("evaluate", "model"): (cmd("evaluate", "--model", "no-such-model", "--hardware", "T4"), 2, ("no-such-model",)),
    ("evaluate", "hardware"): (cmd("evaluate", "--model", "ResNet-50", "--hardware", "no-such-hw"), 2,
                               ("no-such-hw",)),
    ("evaluate", "study"): (cmd(*EVAL, "--study", "bogus"), 2, ("--study", "bogus")),
    ("evaluate", "op"): (cmd("evaluate", "--hardware", "T4", "--op", "bogus", "--shape", "m=1"), 2, ("bogus",)),
    ("evaluate", "shape"): (cmd("evaluate", "--hardware", "T4", "--op", "gemm", "--shape", "m=abc"), 2,
                            ("--shape", "abc")),
    ("evaluate", "batch"): (cmd(*EVAL, "--batch", "0"), 2, ("batch",)),
    ("evaluate", "compute_dtype"): (cmd(*EVAL, "--compute-dtype", "fp7"), 2, ("fp7",)),
    ("evaluate", "seq_len"): (cmd(*EVAL, "--seq-len", "0"), 2, ("seq_len",)),
    ("evaluate", "workload"): (cmd(*EVAL, "--workload", "eating"), 2, ("workload", "eating")),
    ("evaluate", "step"): (cmd(*EVAL, "--step", "sideways"), 2, ("step", "sideways")),
    ("evaluate", "efficiency"): (cmd(*EVAL, "--efficiency", "2"), 2, ("eta_compute",)),
    ("evaluate", "framework"): (cmd(*EVAL, "--framework", "no-such-framework"), 2, ("no-such-framework",)),
    ("evaluate", "as_json"): (cmd(*EVAL, "--json=x"), 2, ("--json",)),
    ("evaluate", "tp"): (cmd(*SERVE, "--tp", "0"), 2, ("tp",)),
    ("evaluate", "pp"): (cmd(*SERVE, "--pp", "0"), 2, ("pp",)),
    ("evaluate", "prompt_len"): (cmd(*SERVE, "--prompt-len", "0"), 2, ("prompt_len",)),
    ("evaluate", "output_len"): (cmd(*SERVE, "--output-len", "-1"), 2, ("output_len",)),
    ("evaluate", "weight_dtype"): (cmd(*SERVE, "--weight-dtype", "fp7"), 2, ("fp7",)),
    ("evaluate", "kv_dtype"): (cmd(*SERVE, "--kv-dtype", "fp7"), 2, ("fp7",)),
    ("evaluate", "precision"): (cmd(*SERVE, "--precision", "fp7"), 2, ("fp7",)),
    ("evaluate", "weight_streaming"): (cmd(*SERVE, "--weight-streaming=x"), 2, ("--weight-streaming",)),
    ("evaluate", "reasoning_tokens"): (cmd(*SERVE, "--reasoning-tokens", "-1"), 2, ("reasoning_tokens",)),
    ("evaluate", "request_rate"): (cmd(*SERVE, "--request-rate", "-1"), 2, ("request_rate",)),
    ("evaluate", "replicas"): (cmd(*SERVE, "--replicas", "0"), 2, ("replicas",)),
    ("evaluate", "dataset"): (cmd(*SERVE, "--dataset", "no-such-dataset"), 2, ("no-such-dataset",)),
    ("evaluate", "prefix_hit_rate"): (cmd(*SERVE, "--prefix-hit-rate", "1"), 2, ("prefix_hit_rate",)),
    ("evaluate", "lora_rank"): (cmd(*SERVE, "--lora-rank", "-1"), 2, ("lora_rank",)),
    ("evaluate", "lora_adapters"): (cmd(*SERVE, "--lora-rank", "8", "--lora-adapters", "0"), 2, ("lora_adapters",)),
    ("evaluate", "spec_draft_tokens"): (cmd(*SERVE, "--spec-draft-tokens", "-1", "--spec-acceptance", "0.8"), 2,
                                        ("spec_draft_tokens",)),
    ("evaluate", "spec_acceptance"): (cmd(*SERVE, "--spec-draft-tokens", "4", "--spec-acceptance", "1.5"), 2,
                                      ("spec_acceptance",)),
    ("evaluate", "draft_model"): (cmd(*SERVE, "--spec-draft-tokens", "4", "--spec-acceptance", "0.8",
                                      "--draft-model", "Llama 3.1 405B"), 2, ("draft_model", "larger")),
    ("evaluate", "cluster"): (cmd("evaluate", "--model", "Llama 2 7B", "--cluster", "no-such-cluster"), 2,
                              ("no-such-cluster",)),
    ("evaluate", "gpus"): (cmd("evaluate", "--model", "Llama 2 7B", "--cluster", CLUSTER, "--gpus", "0"), 2,
                           ("gpus",)),
    ("evaluate", "dp"): (cmd("evaluate", "--model", "Llama 2 7B", "--cluster", CLUSTER, "--dp", "0"), 2, ("dp",)),
    ("evaluate", "cp"): (cmd(*TRAIN, "--cp", "0"), 2, ("cp",)),
    ("evaluate", "ep"): (cmd(*TRAIN, "--ep", "0"), 2, ("ep",)),
    ("evaluate", "microbatch"): (cmd(*TRAIN, "--microbatch", "0"), 2, ("microbatch",)),
    ("evaluate", "global_batch"): (cmd(*TRAIN, "--global-batch", "0"), 2, ("global_batch",)),
    ("evaluate", "virtual_stages"): (cmd(*TRAIN, "--virtual-stages", "0"), 2, ("virtual_stages",)),
    ("evaluate", "zero_stage"): (cmd(*TRAIN, "--zero", "5"), 2, ("zero",)),
    ("evaluate", "recompute"): (cmd(*TRAIN, "--recompute", "bogus"), 2, ("recompute", "bogus")),
    ("evaluate", "sequence_parallel"): (cmd(*TRAIN, "--sequence-parallel=x"), 2, ("--sequence-parallel",)),
    ("evaluate", "dp_overlap"): (cmd(*TRAIN, "--dp-overlap", "2"), 2, ("dp_overlap",)),
    ("evaluate", "flash_attention"): (cmd(*TRAIN, "--flash-attention=x"), 2, ("--flash-attention",)),
    ("evaluate", "train_tokens"): (cmd(*TRAIN, "--train-tokens", "-1"), 2, ("train_tokens",)),
    ("evaluate", "all_walls"): (cmd(*EVAL, "--all-walls=x"), 2, ("--all-walls",)),
    ("evaluate", "wall"): (cmd(*CARD, "--wall", "99"), 2, ("--wall", "99")),
    ("evaluate", "markdown"): (cmd(*EVAL, "--markdown"), 2, ("--markdown", "--all-walls")),
    ("evaluate", "region"): (cmd(*CARD, "--region", "Atlantis"), 2, ("Atlantis",)),
    ("evaluate", "target_fraction"): (cmd(*CARD, "--target-fraction", "0"), 2, ("target",)),
    ("evaluate", "set_"): (cmd(*EVAL, "--set", "hardware.no_such_column=1 B/s"), 2, ("no_such_column",)),
    ("evaluate", "storage"): (cmd(*TRAIN, "--storage", "no-such-storage"), 2, ("no-such-storage",)),
    ("evaluate", "data_pipeline"): (cmd(*TRAIN, "--data-pipeline", "no-such-pipeline"), 2, ("no-such-pipeline",)),
    ("evaluate", "registry"): (cmd(*EVAL, "--registry", missing), 2, ("--registry",)),
    ("query", "name"): (cmd("query", "no_such_query", "--out", runs), 2, ("no_such_query",), True),
    ("query", "run"): (cmd(*QUERY, "--out", runs, "--run", "no-such-run"), 2, ("no-such-run",), True),
    ("query", "out"): (cmd(*QUERY, "--out", missing), 2, ("no-such-folder",)),
    ("query", "param"): (cmd(*QUERY, "--out", runs, "--param", "top"), 2, ("--param",), True),
    ("query", "fmt"): (cmd(*QUERY, "--out", runs, "--format", "xml"), 2, ("--format", "xml"), True),
    ("query", "output"): (cmd(*QUERY, "--out", runs, "--format", "csv", "--output", runs), 2, ("--output",), True),
    ("query", "folder"): (cmd(*QUERY, "--out", runs, "--queries", missing), 2, ("--queries",), True),
    ("columns", "fmt"): (cmd("columns", "--format", "xml"), 2, ("--format", "xml")),
    ("columns", "study"): (cmd("columns", "--study", "bogus"), 2, ("--study", "bogus")),
    ("validate", "measured"): (cmd("validate", "--measured", "no-such.csv"), 2, ("no-such.csv",)),
    ("validate", "out"): (cmd("validate", "--measured", measured, "--out", under_a_file), 1, ("cannot write",)),
    ("validate", "registry"): (cmd("validate", "--measured", measured, "--registry", missing), 2, ("--registry",)),
    ("validate", "peers"): (cmd("validate", "--measured", measured, "--peers", "/no/such/python"), 2,
                           ("peers", "/no/such/python")),
    ("validate", "compute_model"): (cmd("validate", "--measured", measured, "--compute-model", "gemm"), 2,
                                   ("--compute-model", "gemm")),
    ("calibrate", "measured"): (cmd("calibrate", "--measured", "no-such.csv"), 2, ("no-such.csv",)),
    ("calibrate", "out"): (cmd("calibrate", "--measured", measured, "--out", under_a_file), 1, ("cannot write",)),
    ("calibrate", "registry"): (cmd("calibrate", "--measured", measured, "--registry", missing), 2, ("--registry",)),
    ("bench", "rows"): (cmd("bench", "--rows", "0"), 2, ("--rows",)),
    ("bench", "out"): (cmd("bench", "--rows", "1000", "--out", under_a_file), 1, ("cannot write",)),
    ("bench", "study"): (cmd("bench", "--study", "bogus"), 2, ("--study", "bogus")),
    ("bench", "single"): (cmd("bench", "--single=x"), 2, ("--single",)),
    ("bench", "peers"): (cmd("bench", "--single", "--calls", "1", "--peers", "/no/such/python"), 2,
                        ("--peers", "/no/such/python")),
    ("bench", "calls"): (cmd("bench", "--single", "--calls", "0"), 2, ("--calls",)),
    ("bench", "load"): (cmd("bench", "--load=x"), 2, ("--load",)),
    ("bench", "serve_plan"): (cmd("bench", "--serve-plan=x"), 2, ("--serve-plan",)),
    ("bench", "validate"): (cmd("bench", "--validate", "--rows", "0"), 2, ("--rows",)),
    ("bench", "compression"): (cmd("bench", "--rows", "1000", "--compression", "gzip"), 2, ("--compression", "gzip")),
    ("serve-plan", "model"): (cmd(*PLAN, "--model", "No Such Model"), 2, ("No Such Model",)),
    ("serve-plan", "hardware"): (cmd(*PLAN, "--hardware", "No Such GPU"), 2, ("No Such GPU",)),
    ("serve-plan", "gpus"): (cmd(*PLAN, "--gpus", "0"), 2, ("--gpus",)),
    ("serve-plan", "ttft"): (cmd(*PLAN, "--ttft", "fast"), 2, ("--ttft", "fast")),
    ("serve-plan", "tpot"): (cmd(*PLAN, "--tpot", "-3ms"), 2, ("--tpot",)),
    ("serve-plan", "dataset"): (cmd(*PLAN, "--dataset", "ShareGPT"), 2, ("--dataset",)),
    ("serve-plan", "isl"): (cmd(*PLAN, "--isl", "0"), 2, ("--isl",)),
    ("serve-plan", "osl"): (cmd(*PLAN, "--osl", "-5"), 2, ("--osl",)),
    ("serve-plan", "ttft_percentile"): (cmd(*PLAN, "--ttft-percentile", "p95"), 2, ("--ttft-percentile", "p95")),
    ("serve-plan", "tpot_percentile"): (cmd(*PLAN, "--tpot-percentile", "p90"), 2, ("--tpot-percentile", "p90")),
    ("serve-plan", "precision"): (cmd(*PLAN, "--precision", "fp61"), 2, ("fp61",)),
    ("serve-plan", "cluster"): (cmd(*PLAN, "--cluster", "No Such Cluster"), 2, ("No Such Cluster",)),
    ("serve-plan", "region"): (cmd(*PLAN, "--region", "Atlantis"), 2, ("Atlantis",)),
    ("serve-plan", "draft_model"): (cmd(*PLAN, "--draft-model", "Llama 3.1 8B"), 2, ("--draft-model",)),
    ("serve-plan", "spec_draft_tokens"): (cmd(*PLAN, "--spec-draft-tokens", "-1"), 2, ("--spec-draft-tokens",)),
    ("serve-plan", "spec_acceptance"): (cmd(*PLAN, "--spec-acceptance", "1.5"), 2, ("--spec-acceptance",)),
    ("serve-plan", "batch"): (cmd(*PLAN, "--batch", "0"), 2, ("--batch",)),
    ("serve-plan", "dual_batch_overlap"): (cmd(*PLAN, "--dual-batch-overlap=x"), 2, ("--dual-batch-overlap",)),
    ("serve-plan", "redundant_experts"): (cmd(*PLAN, "--redundant-experts", "-1"), 2, ("--redundant-experts",)),
    ("serve-plan", "limit"): (cmd(*PLAN, "--limit", "0"), 2, ("--limit",)),
    ("serve-plan", "registry"): (cmd(*PLAN, "--registry", missing), 2, ("--registry",)),
    ("catalog check", "registry"): (cmd("catalog", "check", "--registry", missing), 2, ("--registry",)),
    ("catalog list", "table"): (cmd("catalog", "list", "bogus"), 2, ("bogus",)),
    ("catalog list", "filters"): (cmd("catalog", "list", "hardware", "--filter", "no_such_column=1"), 2,
                                  ("no_such_column",)),
    ("catalog list", "fmt"): (cmd("catalog", "list", "hardware", "--format", "xml"), 2, ("--format", "xml")),
    ("catalog list", "every_column"): (cmd("catalog", "list", "hardware", "--all=x"), 2, ("--all",)),
    ("catalog list", "registry"): (cmd("catalog", "list", "hardware", "--registry", missing), 2, ("--registry",)),
    ("catalog show", "name"): (cmd("catalog", "show", "no-such-name"), 2, ("no-such-name",)),
    ("catalog show", "registry"): (cmd("catalog", "show", "T4", "--registry", missing), 2, ("--registry",)),
    ("catalog export", "csv"): (cmd("catalog", "export", "--csv", under_a_file), 1, ("cannot write",)),
    ("catalog export", "table"): (cmd("catalog", "export", "--csv", "x", "--table", "bogus"), 2, ("bogus",)),
    ("catalog export", "registry"): (cmd("catalog", "export", "--csv", "x", "--registry", missing), 2,
                                     ("--registry",)),
    ("catalog import", "csv"): (cmd("catalog", "import", "--csv", "no-such.csv", "--registry", registry), 2,
                                ("no-such.csv",)),
    ("catalog import", "table"): (cmd("catalog", "import", "--csv", a_file, "--table", "bogus", "--registry",
                                      registry), 2, ("bogus",)),
    ("catalog import", "hf_config"): (cmd("catalog", "import", "--hf-config", "no-such.json", "--name", "X",
                                          "--source-url", HF_URL, "--release-year", "2023", "--registry", registry),
                                      2, ("no-such.json",)),
    ("catalog import", "name"): (cmd("catalog", "import", "--hf-config", hf, "--name", "=cmd", "--source-url",
                                     HF_URL, "--release-year", "2023", "--registry", registry), 2,
                                 ("name", "formula")),
    ("catalog import", "source_url"): (cmd("catalog", "import", "--hf-config", hf, "--name", "Imported 7B",
                                           "--source-url", "not a url", "--release-year", "2023", "--registry",
                                           registry), 2, ("source_url",)),
    ("catalog import", "params_published"): (hf_import("--params-published", "-1"), 2, ("params_published",)),
    ("catalog import", "params_source_url"): (hf_import("--params-published", "6738415616",
                                                        "--params-source-url", "not a url"), 2,
                                              ("params_source_url",)),
    ("catalog import", "family"): (hf_import("--family", "llama\u202e"), 2, ("family", "bidirectional")),
    ("catalog import", "release_year"): (hf_import("--release-year", "1800"), 2, ("release_year",)),
    ("catalog import", "notes"): (hf_import("--notes", "card 7B\u202e"), 2, ("notes", "bidirectional")),
    ("catalog import", "last_verified"): (hf_import("--last-verified", "2026-13-45"), 2,
                                          ("--last-verified", "2026-13-45", "YYYY-MM-DD")),
    ("catalog import", "registry"): (cmd("catalog", "import", "--csv", lambda ctx: ctx.write("h/hardware.csv", "x"),
                                         "--registry", a_file), 2, ("--registry",)),
    ("catalog import", "hf_repo"): (cmd("catalog", "import", "--hf-repo", "not a repo", "--name", "X",
                                        "--release-year", "2023", "--registry", registry), 2, ("--hf-repo",
                                                                                               "not a repo")),
    ("catalog import", "revision"): (cmd("catalog", "import", "--csv", a_file, "--revision", "main", "--registry",
                                         registry), 2, ("--revision",)),
    ("catalog migrate", "registry"): (cmd("catalog", "migrate", missing), 2, ("no-such-folder",)),
    ("catalog migrate", "dry_run"): (cmd("catalog", "migrate", registry, "--dry-run=x"), 2, ("--dry-run",)),
    ("catalog dump", "path"): (cmd("catalog", "dump", "no-such.parquet"), 2, ("no-such.parquet",)),
    ("catalog setup-diff", "show"): (cmd("catalog", "setup-diff", "--print=x"), 2, ("--print",)),
    ("catalog diff", "a"): (cmd("catalog", "diff", missing), 2, ("no-such-folder",)),
    ("catalog diff", "b"): (cmd("catalog", "diff", registry, missing), 2, ("no-such-folder",)),
    ("catalog diff", "as_json"): (cmd("catalog", "diff", registry, "--json=x"), 2, ("--json",)),
    ("catalog diff", "exit_code"): (cmd("catalog", "diff", registry, "--exit-code=x"), 2, ("--exit-code",)),
    ("catalog stale", "older_than"): (cmd("catalog", "stale", "--older-than", "abc"), 2, ("--older-than", "abc")),
    ("catalog stale", "table"): (cmd("catalog", "stale", "--table", "bogus"), 2, ("bogus",)),
    ("catalog stale", "today"): (cmd("catalog", "stale", "--today", "2026-13-45"), 2, ("--today", "2026-13-45")),
    ("catalog stale", "fmt"): (cmd("catalog", "stale", "--format", "xml"), 2, ("--format", "xml")),
    ("catalog stale", "exit_code"): (cmd("catalog", "stale", "--exit-code=x"), 2, ("--exit-code",)),
    ("catalog stale", "registry"): (cmd("catalog", "stale", "--registry", missing), 2, ("--registry",)),
    ("runs list", "out"): (cmd("runs", "list", "--out", missing), 2, ("--out", "no-such-folder")),
    ("runs list", "fmt"): (cmd("runs", "list", "--out", runs, "--format", "xml"), 2, ("--format", "xml"), True),
    ("runs prune", "keep"): (cmd("runs", "prune", "--keep", "0", "--out", runs), 2, ("--keep",), True),
    ("runs prune", "out"): (cmd("runs", "prune", "--keep", "1", "--out", a_file), 2, ("--out",)),
    ("runs prune", "dry_run"): (cmd("runs", "prune", "--keep", "1", "--dry-run=x"), 2, ("--dry-run",)),
    ("runs diff", "a"): (cmd("runs", "diff", "no-such-run", "no-such-run", "--out", runs), 2, ("no-such-run",), True),
    ("runs diff", "b"): (cmd("runs", "diff", first_run, "no-such-run", "--out", runs), 2, ("no-such-run",), True),
    ("runs diff", "out"): (cmd("runs", "diff", "a", "b", "--out", missing), 2, ("no-such-folder",)),
    ("runs diff", "rtol"): (cmd("runs", "diff", "a", "b", "--rtol", "-1"), 2, ("--rtol",)),
    ("runs diff", "fmt"): (cmd("runs", "diff", first_run, first_run, "--out", runs, "--format", "xml"), 2,
                           ("--format", "xml"), True),
    ("report validation", "run"): (cmd("report", "validation", "--run", "no-such-run", "--out", runs), 2,
                                   ("no-such-run",), True),
    ("report validation", "out"): (cmd("report", "validation", "--out", missing), 2, ("no-such-folder",)),
    ("nightly", "out"): (cmd("nightly", "--out", a_file), 2, ("--out",)),
    ("nightly", "config"): (cmd("nightly", "--out", missing, "--config", "no-such.toml"), 2, ("no-such.toml",)),
    ("nightly", "registry"): (cmd("nightly", "--out", missing, "--registry", a_file), 2, ("a-file",)),
    ("nightly", "report"): (cmd("nightly", "--report=x"), 2, ("--report",)),
    ("nightly", "reuse"): (cmd("nightly", "--reuse=x"), 2, ("--reuse",)),
    ("nightly", "executor"): (cmd("nightly", "--out", missing, "--executor", "spark"), 2, ("--executor",)),
    ("nightly", "scheduler"): (cmd("nightly", "--out", missing, "--scheduler", "tcp://h:8786"), 2, ("--scheduler",)),
    ("nightly", "workers"): (cmd("nightly", "--out", missing, "--executor", "dask", "--workers", "0"), 2,
                             ("--workers",)),
    ("report run", "run"): (cmd("report", "run", "no-such-run", "--out", runs), 2, ("no-such-run",), True),
    ("report run", "out"): (cmd("report", "run", "--out", missing), 2, ("no-such-folder",)),
    ("report run", "model"): (cmd("report", "run", "--out", runs, "--model", "No Such Model"), 2, ("No Such Model",),
                              True),  # the newest run of ctx.runs is a serving run
    ("report run", "hardware"): (cmd("report", "run", "--out", runs, "--hardware", "H100 SXM5 80GB"), 2,
                                 ("--hardware", "node"), True),
    ("report run", "to"): (cmd("report", "run", "--out", runs, "--to", a_file), 2, ("--to",), True),
}


def the_cases() -> list[Case]:
    out = []
    for (command, name), bad in BAD.items():
        if bad is None:
            continue
        run, code, says, *needs = bad
        out.append(Case(f"options: {command.split()[0]}", f"{command} {name}", run, code, says,
                        needs_runs=bool(needs and needs[0])))
    return out
