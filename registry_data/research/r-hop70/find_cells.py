"""The engine settings of the MLPerf Inference TensorRT-LLM Llama 2 70B rows on Hopper (H100 SXM / NVL, H200 SXM /
NVL; v4.0, v4.1, v5.0, v5.1) that the catalog has a column for and leaves null, each from the run's own files, one
line per cell into ``cells.csv``; what no file states into ``unresolved.csv`` with why (README section 1).

- ``kv_dtype``: the KV cache's precision. v4.1: the quantization command of the submitter's
  ``code/llama2-70b/tensorrt/README.md`` (``--kv_cache_dtype fp8``: the checkpoint the engine is built from carries
  FP8 K / V scales); v5.0: ``trtllm_checkpoint_flags = {'kv_cache_dtype': 'fp8'}`` of the Hopper base class (Server:
  Cisco's v5.1 copy of NVIDIA's v5.0 class that r-cfgs matched by rate; Offline: NVIDIA's v5.0 Offline config, read
  with the search tool's read_file, lines in ``V50``); v5.1: the same flag in the run's dict config.
- ``batch`` (Server / Interactive rows under a request rate only, as r-h70sat: the cap of wall 7's in-flight batch):
  ``gpu_batch_size`` x pp, by r-h70sat's readers (v4.1 / v5.0 class, v5.1 dict config) and v4.0's H200 Server class
  (``V40``). Offline rows are left out (there a stated batch is the one batch run; the KV cache binds first).
- ``max_num_tokens``: v5.0 Offline (``V50``: the class's runtime flag; no v5.0 config is mirrored).
- ``tp`` / ``pp``: Juniper's v4.1 x16 / x32 runs (no class names a 16- or 32-GPU system, but every class of its
  llama2-70b Offline and Server configs states TP2 x PP1 and its README quantizes at ``--tp_size 2``).

Only null cells; a stated cell that disagrees with its source stops the script.

    .venv/bin/python registry_data/research/r-hop70/find_cells.py V41_MIRROR V51_MIRROR [CATALOG]
"""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
RESEARCH = HERE.parent
REGISTRY = RESEARCH.parent
_spec = importlib.util.spec_from_file_location("r_h70sat_find_batch", RESEARCH / "r-h70sat" / "find_batch.py")
h70sat = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(h70sat)  # r-h70sat's readers; it puts r-cfgs' classcfg and r-chunkctx's configs on the path
from classcfg import classes, merged  # noqa: E402
from configs import exports, flag  # noqa: E402

V41, V51 = "mlcommons/inference_results_v4.1", "mlcommons/inference_results_v5.1"
V40_REPO, V40_COMMIT = h70sat.V40_REPO, h70sat.V40_COMMIT
V50_REPO, V50_COMMIT = "mlcommons/inference_results_v5.0", "6069beb24b7a0a352f2ea8e76989fa16cd47c76e"
V50_OFFLINE = "closed/NVIDIA/configs/llama2-70b/Offline/__init__.py"
# NVIDIA's v5.0 Offline config (the store's one v5.0 config file; read_file, lines counted in its text): the class
# registered for the run (Custom, 99 %, MaxP) -> {column: (value, line, the class whose line states it)}.
# HopperOfflineGPUBaseConfig L38-39 trtllm_checkpoint_flags = {'kv_cache_dtype': 'fp8'}; H100_SXM_80GB_PP2x1 L102-103
# trtllm_runtime_flags 'max_num_tokens': 1024 (its L96 build flag the same); H200_SXM_141GBx1 L251
# trtllm_runtime_flags = {'max_num_tokens': 1536} (L248 build flag the same). The H200 layout is left unstated:
# the file's Hopper base states 'pipeline_parallelism': 2 (L44), which its single-GPU classes would inherit, so the
# file does not say what the H200 x8 engine ran (r-cfgs, r-v50b did not state it either).
V50 = {"DGX-H100_H100-SXM-80GBx8": {"kv_dtype": ("fp8", 39, "HopperOfflineGPUBaseConfig"),
                                    "max_num_tokens": (1024, 103, "H100_SXM_80GB_PP2x1")},
       "H200-SXM-141GBx8": {"kv_dtype": ("fp8", 39, "HopperOfflineGPUBaseConfig"),
                            "max_num_tokens": (1536, 251, "H200_SXM_141GBx1")}}
V50_CLASS = {"DGX-H100_H100-SXM-80GBx8": "H100_SXM_80GB_PP2x4", "H200-SXM-141GBx8": "H200_SXM_141GBx8"}
# NVIDIA's v4.0 Server config (read_file @8121a811): H200_SXM_141GBx8_HighAccuracy -> H200_SXM_141GBx8 ->
# H200_SXM_141GBx1, L144 gpu_batch_size = 896 (L145 use_fp8 = True, which the row's notes cite)
V40_H200 = {"H200-SXM-141GBx8": (896, 144, "H200_SXM_141GBx8_HighAccuracy", "H200_SXM_141GBx1")}
README = "closed/{sub}/code/llama2-70b/tensorrt/README.md"
JUNIPER = "closed/JuniperNetworks/configs/llama2-70b/{scen}/__init__.py"
SCOPE = (pl.col("name").str.starts_with("mlperf-inf-") & (pl.col("framework") == "TensorRT-LLM")
         & (pl.col("model") == "Llama 2 70B") & pl.col("hardware").str.contains(r"^H(100|200) "))
FIELDS = ["name", "column", "value", "repository", "commit", "path", "line", "why"]


def rows(catalog: Path) -> pl.DataFrame:
    """The rows in scope with their round, submitter, system folder and scenario folder (the few v4.1 rows citing a
    results README carry NVIDIA's)."""
    url = pl.col("source_url")
    return (pl.read_parquet(catalog).filter(SCOPE)
            .with_columns(pl.col("name").str.extract(r"^mlperf-inf-(v\d\.\d)-", 1).alias("round"),
                          url.str.extract(r"closed/([^/]+)/results/", 1).alias("sub"),
                          url.str.extract(r"/results/([^/]+)/", 1).alias("sysdir"),
                          url.str.extract(r"/results/[^/]+/([^/]+)/", 1).alias("bench"),
                          url.str.extract(r"/results/[^/]+/[^/]+/(Offline|Server|Interactive)/", 1)
                          .fill_null(pl.when(pl.col("scenario") == "offline").then(pl.lit("Offline"))
                                     .otherwise(pl.lit("Server"))).alias("scen"))
            .sort("name"))


def line_with(text: str, pattern: str, start: int = 0) -> int | None:
    """The first line (1-based) at or after line ``start`` matching ``pattern``."""
    return next((i for i, line in enumerate(text.splitlines(), start=1) if i > start and re.search(pattern, line)),
                None)


def v41_kv(mirror: Path, sub: str) -> tuple[str, str, int] | None:
    path = README.format(sub=sub)
    text = h70sat.git(mirror, "show", f"HEAD:{path}")
    line = line_with(text, r"quantize\.py .*--kv_cache_dtype[ =]fp8")
    return ("fp8", path, line) if line else None


def v50_server_kv(mirror: Path, cls: str) -> tuple[str, str, int, str] | None:
    """``kv_cache_dtype`` of the class r-cfgs matched in Cisco's v5.1 copy of NVIDIA's v5.0 Server config."""
    base = "closed/Cisco/configs/llama2-70b"
    paths = [f"{base}/Server/__init__.py", f"{base}/__init__.py"]
    scopes = [classes(h70sat.git(mirror, "show", f"HEAD:{p}"), p) for p in paths]
    got = merged(cls, "trtllm_checkpoint_flags", scopes).get("kv_cache_dtype")
    if got is None:
        return None
    value, owner = got
    return str(value), owner.path, owner.keys["trtllm_checkpoint_flags"]["kv_cache_dtype"], owner.name


def v51_kv(mirror: Path, r: dict, tree: set[str]) -> tuple[tuple[str, str, int] | None, str]:
    """``trtllm_checkpoint_flags['kv_cache_dtype']`` of the run's Custom (Triton for ``_Triton``) / 99 % / MaxP
    setting, its line the first such key after that setting's ``WorkloadSetting`` line."""
    bench = h70sat.V51_BENCH.get(r["bench"] or "")
    paths = [f"closed/{r['sub']}/configs/{s}/{r['scen']}/{bench}.py"
             for s in (r["sysdir"] or "", (r["sysdir"] or "").removesuffix("_TRT"))]
    path = next((p for p in paths if p in tree), None)
    if bench is None or path is None:
        return None, f"no config {paths[-1]}"
    text = h70sat.git(mirror, "show", f"HEAD:{path}")
    harness = "Triton" if "_Triton" in r["sysdir"] else "Custom"
    setting = next((s for key, s in exports(text).items()
                    if str(key[1]).endswith(f".{harness}") and key[2][1] == 0.99 and str(key[3]).endswith(".MaxP")),
                   None)
    value = flag(setting, "trtllm_checkpoint_flags", "kv_cache_dtype") if setting else None
    if value is None:
        return None, f"no {harness}/99/MaxP trtllm_checkpoint_flags kv_cache_dtype in {path}"
    head = line_with(text, rf"HarnessType\.{harness},\s*C\.AccuracyTarget\(0\.99\),\s*C\.PowerSetting\.MaxP")
    key = rf"['\"]kv_cache_dtype['\"]\s*:\s*['\"]{value}['\"]"
    line = line_with(text, key, head or 0)
    if line is None and len(set(re.findall(r"['\"]kv_cache_dtype['\"]\s*:\s*['\"](\w+)", text))) == 1:
        line = line_with(text, key)  # the setting is a dict named before EXPORTS (one kv_cache_dtype in the file)
    return (str(value), path, line), f"{harness}/99/MaxP setting, trtllm_checkpoint_flags['kv_cache_dtype']"


def cell(r: dict, column: str, value, repo: str, commit: str, path: str, line: int, why: str,
         corrects: bool = False) -> dict:
    if r[column] is not None and str(r[column]) != str(value) and not corrects:
        sys.exit(f"{r['name']}: {column} {r[column]} in the catalog, {value} in {path}#L{line}")
    return {"name": r["name"], "column": column, "value": value, "repository": repo, "commit": commit,
            "path": path, "line": line, "why": why}


def kv_cells(r: dict, v41: Path, v51: Path, commits: dict, tree51: set[str], c50: dict) -> tuple[dict | None, str]:
    if r["round"] == "v4.0":
        return None, ("NVIDIA's v4.0 llama2-70b README (the quantization command) and base config are not in the "
                      "store; its builder names the checkpoint only by path")
    if r["round"] == "v4.1":
        got = v41_kv(v41, r["sub"] or "NVIDIA")
        if got is None:
            return None, "no --kv_cache_dtype in the submitter's llama2-70b README"
        return cell(r, "kv_dtype", got[0], V41, commits[v41], got[1], got[2],
                    f"{r['sub'] or 'NVIDIA'}'s llama2-70b README, the quantization command the engine's checkpoint "
                    "is made with: '--kv_cache_dtype fp8'"), ""
    if r["round"] == "v5.0":
        if r["scen"] == "Offline":
            hit = V50.get(r["sysdir"].removesuffix("_TRT"))
            if hit is None:
                return None, "no v5.0 Offline class of this system read"
            value, line, owner = hit["kv_dtype"]
            cls = V50_CLASS[r["sysdir"].removesuffix("_TRT")]
            return cell(r, "kv_dtype", value, V50_REPO, V50_COMMIT, V50_OFFLINE, line,
                        f"class {cls} registered for the run (Custom, 99 %, MaxP); trtllm_checkpoint_flags "
                        f"'kv_cache_dtype': '{value}' on {owner}"), ""
        cls = c50.get(r["name"])
        got = v50_server_kv(v51, cls) if cls else None
        if got is None:
            return None, "no class resolved by r-cfgs (v50_unresolved.csv)"
        return cell(r, "kv_dtype", got[0], V51, commits[v51], got[1], got[2],
                    f"class {cls} (r-cfgs, Cisco's v5.1 copy of NVIDIA's v5.0 config); trtllm_checkpoint_flags "
                    f"'kv_cache_dtype': '{got[0]}' on {got[3]}"), ""
    got, why = v51_kv(v51, r, tree51)
    if got is None:
        return None, why
    return cell(r, "kv_dtype", got[0], V51, commits[v51], got[1], got[2], why + f" '{got[0]}'"), ""


def batch_cell(r: dict, v41: Path, v51: Path, commits: dict, tree51: set[str], c41: dict,
               c50: dict) -> tuple[dict | None, str]:
    """The Server / Interactive cap (r-h70sat's rule and readers), for a row under a rate that states none."""
    why, repo, commit, got = "", "", "", None
    if r["round"] == "v4.0":
        hit = V40_H200.get((r["sysdir"] or "").removesuffix("_TRT"))
        if hit is None:
            return None, "no v4.0 Server class of this system read"
        got, repo, commit = (hit[0], h70sat.V40_PATH, hit[1]), V40_REPO, V40_COMMIT
        why = f"class {hit[2]} registered for the run; gpu_batch_size on {hit[3]}"
    elif r["round"] in ("v4.1", "v5.0"):
        mirror, cls = (v41, c41.get(r["name"])) if r["round"] == "v4.1" else (v51, c50.get(r["name"]))
        sub = (r["sub"] or "NVIDIA") if r["round"] == "v4.1" else "Cisco"
        if cls is None:
            return None, "no class resolved by r-cfgs (v41_unresolved.csv, v50_unresolved.csv)"
        got = h70sat.class_batch(mirror, cls, f"closed/{sub}/configs/llama2-70b/Server", r["model"])
        why, repo, commit = f"class {cls} (r-cfgs); gpu_batch_size by its MRO", (V41 if mirror == v41 else V51), \
            commits[mirror]
    else:
        got, why = h70sat.v51_batch(v51, r, tree51)
        repo, commit = V51, commits[v51]
    if got is None:
        return None, why
    value, path, line = got
    pp = r["pp"] or 1
    if pp > 1:
        why += f"; x pp {pp} micro-batches ({h70sat.PP_CAP})"
    return cell(r, "batch", value * pp, repo, commit, path, line, f"{r['scen']} gpu_batch_size {value}: {why}"), ""


def single(text: str, key: str, path: str) -> tuple[int, int]:
    """The one value every assignment of ``key`` in a class-style config gives, and its first line."""
    found = {int(v) for v in re.findall(rf"^\s+{key}\s*=\s*(\d+)\s*$", text, re.M)}
    if len(found) != 1:
        sys.exit(f"{path}: {key} {sorted(found)}: not one value")
    value = found.pop()
    return value, line_with(text, rf"^\s+{key}\s*=\s*{value}\s*$")


def juniper_cells(r: dict, v41: Path, commits: dict) -> list[dict]:
    """JuniperNetworks' x16 / x32 runs: no class registers a 16- or 32-GPU system, so the run's class is not named,
    but every class of its llama2-70b config for the scenario states one layout (TP2 x PP1), inherits one budget
    (the base's max_num_tokens, restated by none) and, in Server, one gpu_batch_size: any class the run could have
    used states them."""
    path = JUNIPER.format(scen="Offline" if r["scen"] == "Offline" else "Server")
    base = JUNIPER.format(scen="").replace("//", "/")
    text, base_text = (h70sat.git(v41, "show", f"HEAD:{p}") for p in (path, base))
    why = ("no class registers a 16- or 32-GPU system, but every class of JuniperNetworks' llama2-70b "
           f"{r['scen']} config states {{}} (its README quantizes the checkpoint at --tp_size 2, L33)")
    out = []
    for column, key in (("tp", "tensor_parallelism"), ("pp", "pipeline_parallelism")):
        value, line = single(text, key, path)
        out.append(cell(r, column, value, V41, commits[v41], path, line, why.format(f"{key} = {value}")))
    if "max_num_tokens" in text:
        sys.exit(f"{path} restates max_num_tokens")
    value, line = single(base_text, "max_num_tokens", base)
    out.append(cell(r, "max_num_tokens", value, V41, commits[v41], base, line,
                    why.format(f"no max_num_tokens of its own; GPUBaseConfig's max_num_tokens = {value}")))
    if r["scen"] != "Offline" and r["request_rate"] is not None and r["batch"] is None:
        value, line = single(text, "gpu_batch_size", path)
        out.append(cell(r, "batch", value, V41, commits[v41], path, line,
                        f"Server gpu_batch_size {value}: "
                        + why.format(f"gpu_batch_size = {value} (one class sets it)")))
    return out


def log_output_len(r: dict, v41: Path, commits: dict) -> dict | None:
    """A v4.1 NVIDIA row that cites its results README / summary page (not its log) takes output_len from the
    performance log of the same run: tokens per second / samples per second (lines 7-8), as every row citing its log
    does; the 265 it carried is the benchmark's TOKENS_PER_SAMPLE accuracy threshold (90 % of 294.45), not what
    the run generated (the log's 290-291; its accuracy.txt 'tokens_per_sample': 290.3)."""
    if r["round"] != "v4.1" or "mlperf_log_summary" in r["source_url"]:
        return None
    path = f"closed/NVIDIA/results/{r['sysdir']}/llama2-70b-99/{r['scen']}/performance/run_1/mlperf_log_summary.txt"
    text = h70sat.git(v41, "show", f"HEAD:{path}")
    samples = re.search(r"^(?:Completed s|S)amples per second\s*:\s*([\d.]+)", text, re.M)
    tokens = re.search(r"^(?:Completed t|T)okens per second\s*:\s*([\d.]+)", text, re.M)
    if not samples or not tokens or abs(float(tokens[1]) - r["value"]) > 0.01 * r["value"]:
        sys.exit(f"{r['name']}: {path} does not state this row's {r['value']} tokens/s")
    value = round(float(tokens[1]) / float(samples[1]))
    if value == r["output_len"]:
        return None
    lines = [line_with(text, p) for p in (r"amples per second", r"okens per second")]
    return cell(r, "output_len", value, V41, commits[v41], path, lines[0],
                f"the run's performance log: {tokens[1]} tokens/s (L{lines[1]}) / {samples[1]} samples/s "
                f"(L{lines[0]}) = {float(tokens[1]) / float(samples[1]):.2f} tokens per sample (was "
                f"{r['output_len']}: the benchmark's accuracy threshold, 90 % of its reference 294.45 tokens, "
                "which the results table lists beside the run's accuracy)", corrects=True)


def left_why(r: dict, column: str) -> str:
    """Why a null layout or budget cell stays null."""
    if r["round"] == "v4.0":
        return ("NVIDIA's v4.0 configs/llama2-70b/__init__.py, whose max_num_tokens the scenario classes inherit, is "
                "not in the store (the builder's default 16384 applies only if it sets none)")
    if r["round"] == "v5.0" and r["scen"] == "Offline":
        return ("NVIDIA's v5.0 Offline config: the H200 classes restate no parallelism and the Hopper base states "
                "'pipeline_parallelism': 2 (L44), which single-GPU classes cannot run: the file does not say it")
    if r["round"] == "v5.0":
        return "no v5.0 Interactive config in the store (r-cfgs v50_unresolved.csv)"
    return "no config names this 16-GPU / 32-GPU system (r-cfgs v51_unresolved.csv)"


def main(v41: Path, v51: Path, catalog: Path) -> None:
    commits = {m: h70sat.git(m, "rev-parse", "HEAD").strip() for m in (v41, v51)}
    tree51 = set(h70sat.git(v51, "ls-tree", "-r", "--name-only", "HEAD", "closed").splitlines())
    c41, c50 = h70sat.resolved_classes("v41_cells.csv"), h70sat.resolved_classes("v50_cells.csv")
    cells, unresolved = [], []

    def add(got: dict | None, column: str, why: str) -> None:
        if got is not None:
            cells.append(got)
        else:
            unresolved.append({"name": r["name"], "column": column, "why": why})

    for r in rows(catalog).iter_rows(named=True):
        before = len(cells)
        if r["sub"] == "JuniperNetworks" and r["tp"] is None:
            cells.extend(juniper_cells(r, v41, commits))
        if r["kv_dtype"] is None:
            got, why = kv_cells(r, v41, v51, commits, tree51, c50)
            add(got, "kv_dtype", why)
        if r["batch"] is None and r["scen"] != "Offline" and r["request_rate"] is not None \
                and r["sub"] != "JuniperNetworks":
            got, why = batch_cell(r, v41, v51, commits, tree51, c41, c50)
            add(got, "batch", why)
        if r["round"] == "v5.0" and r["scen"] == "Offline" and r["max_num_tokens"] is None:
            hit = V50.get((r["sysdir"] or "").removesuffix("_TRT"))
            if hit:
                value, line, owner = hit["max_num_tokens"]
                cls = V50_CLASS[r["sysdir"].removesuffix("_TRT")]
                add(cell(r, "max_num_tokens", value, V50_REPO, V50_COMMIT, V50_OFFLINE, line,
                         f"class {cls} registered for the run (Custom, 99 %, MaxP); trtllm_runtime_flags "
                         f"'max_num_tokens': {value} on {owner}"), "max_num_tokens", "")
        fixed = log_output_len(r, v41, commits)
        if fixed is not None:
            cells.append(fixed)
        stated = {c["column"] for c in cells[before:]}
        for column in ("tp", "pp", "max_num_tokens"):
            if r[column] is None and column not in stated:
                add(None, column, left_why(r, column))
    for name, data, fields in (("cells.csv", cells, FIELDS), ("unresolved.csv", unresolved, ["name", "column", "why"])):
        with open(HERE / name, "w", newline="") as f:
            w = csv.DictWriter(f, fields)
            w.writeheader()
            w.writerows(data)
    print(pl.DataFrame(cells).group_by("column").len().sort("column"), f"\n{len(unresolved)} unresolved")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]) if len(sys.argv) > 3
         else REGISTRY / "measurements.parquet")
