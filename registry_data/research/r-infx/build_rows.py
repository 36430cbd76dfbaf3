"""SemiAnalysis InferenceX single-node DeepSeek-R1 points (points.csv) -> measurement rows (rows.csv).

points.csv is transcribed from the InferenceX app's API fixture (FIXTURE below, read with the search tool's
read_file at the offsets the column ``offset`` gives; each point's hardware, framework, model, precision, tp, ep,
dp_attention, disagg, isl, osl, conc, image, metrics, date and run_url). Per point this writes three rows: the mean
TTFT (``ttft_s``, statistic mean), the mean TPOT (``itl_s``, statistic mean: the client's per-request (e2e - TTFT) /
(output tokens - 1), averaged; not the fixture's ``mean_itl``, which counts the gap between streamed chunks of
``stream_interval`` tokens) and the deployment's output tokens/s (``tokens_per_s`` = output_tput_per_gpu x GPUs:
utils/process_result.py divides the client's output_throughput by tp x pp for a single-node run, as the catalog's
closed-loop rows count delivered output tokens; ``tput_per_gpu`` counts input + output tokens and matches no metric
of ours). The engine cells each run states come from the launch script at the InferenceX commit the run used
(LAUNCH: the newest commit before the run's date): tp / ep / attention DP, the KV cache dtype, the runtime token
budget, the attention-DP balancing timeout. The client (benchmark_serving.py via benchmarks/benchmark_lib.sh) runs
the random dataset with --random-range-ratio 0.8 and --ignore-eos, each length uniform in [int(0.8 L), L]: mean
(int(0.8 L) + L) / 2, 921.5 for 1,024 and 7,372.5 for 8,192 (rounded half up), with --num-prompts 10 x conc.

    .venv/bin/python registry_data/research/r-infx/build_rows.py
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
VERIFIED = dt.date(2026, 12, 7)
FIXTURE = ("SemiAnalysisAI/InferenceX-app", "3a600f1d9ce155536d52e2f58f744f27a301aac9",
           "packages/app/cypress/fixtures/api/benchmarks.json")
REPO = "https://github.com/SemiAnalysisAI/InferenceX/blob/{}/{}#L{}"
RANGE_RATIO = 0.8  # .github/workflows/benchmark-tmpl.yml input random-range-ratio default '0.8'
# per configuration: catalog names and what the fixture says
CONFIGS = {
    "h200-sglang-fp8-tp8": ("H200 SXM 141GB", "SGLang", "fp8", 8),
    "h200-trt-fp8-tp8": ("H200 SXM 141GB", "TensorRT-LLM", "fp8", 8),
    "b200-sglang-fp8-tp8": ("B200 (HGX B200)", "SGLang", "fp8", 8),
    "b200-trt-fp4-tp4": ("B200 (HGX B200)", "TensorRT-LLM", "fp4", 4),
    "mi300x-sglang-fp8-tp8": ("MI300X", "SGLang", "fp8", 8),
}
# (config, run date) -> the launch script at the newest InferenceX commit before that date: commit, path and the
# lines that state each engine cell; "ep_tp": EP = TP in the script (line; or above a concurrency, line per isl /
# osl), else the workflow's EP_SIZE, the fixture's ep; "adp": ((isl, osl, conc above which the script turns
# attention DP on, line), timeout line); "budget": how max_num_tokens is set (kind, value, line)
LAUNCH = {
    ("h200-sglang-fp8-tp8", "2026-03-25"): dict(
        commit="12ba0ae07289e3212840f8f59913ddee97b07f73", path="benchmarks/single_node/dsr1_fp8_h200.sh",
        budget=("const", 32768, {(1024, 1024): 35, "else": 44}), kv=None, ep_tp=None, adp=None),
    ("h200-trt-fp8-tp8", "2025-11-02"): dict(
        commit="e06929c701a09f1f354150682e3c96afab8ebe22", path="benchmarks/dsr1_fp8_h200_trt_slurm.sh",
        budget=("trt", None, 74), kv=("fp8", 55), ep_tp=24, adp=((8192, 1024, 32, 37), 68)),
    ("b200-trt-fp4-tp4", "2026-02-03"): dict(
        commit="daa8239f79629e08b6ef7c8f2661807f5dbcc50b", path="benchmarks/dsr1_fp4_b200_trt.sh",
        budget=("trt_floor", 8192, 75), kv=("fp8", 54), ep_tp=None, adp=None),
    ("b200-trt-fp4-tp4", "2025-12-15"): dict(
        commit="f6a9d0b6adf1b0eb52c7b107b275f086bbb48100", path="benchmarks/dsr1_fp4_b200_trt_slurm.sh",
        budget=("trt", None, 87), kv=("fp8", 68), ep_tp=None, adp=None),
    ("b200-trt-fp4-tp4", "2025-11-02"): dict(
        commit="e06929c701a09f1f354150682e3c96afab8ebe22", path="benchmarks/dsr1_fp4_b200_trt_slurm.sh",
        budget=("trt", None, 110), kv=("fp8", 91),
        ep_tp=(32, {(1024, 1024): 31, (1024, 8192): 39, (8192, 1024): 47}), adp=((8192, 1024, 32, 46), 104)),
    ("mi300x-sglang-fp8-tp8", "2026-02-27"): dict(
        commit="f267602ff7825dc02eaf81f512f50f380d6d39f9", path="benchmarks/single_node/dsr1_fp8_mi300x.sh",
        budget=("const", 131072, 45), kv=("fp8", 48), ep_tp=None, adp=None),
    ("b200-sglang-fp8-tp8", "2026-03-25"): dict(
        commit="12ba0ae07289e3212840f8f59913ddee97b07f73", path="benchmarks/single_node/dsr1_fp8_b200.sh",
        budget=("const", 32768, 42), kv=("fp8", 73), ep_tp=None, adp=None),
    ("b200-sglang-fp8-tp8", "2025-12-31"): dict(
        commit="d27433dffb7b90ffc461ede429d897219e950b8b", path="benchmarks/dsr1_fp8_b200_slurm.sh",
        budget=("const", 32768, 36), kv=("fp8", 36), ep_tp=None, adp=None),
}
METRICS = (("ttft_s", "mean_ttft", "ms", 1e3, "mean"), ("itl_s", "mean_tpot", "ms", 1e3, "mean"),
           ("tokens_per_s", "output_tput_per_gpu", "tok/s", None, None))


def mean_length(length: int) -> int:
    """The mean of numpy randint(int(ratio L), L + 1): (int(ratio L) + L) / 2, rounded half up."""
    return int((int(length * RANGE_RATIO) + length) / 2 + 0.5)


def engine(point: dict) -> dict:
    """The cells the run's launch script states for this point, with the script lines as a note."""
    config, date, isl, osl, conc = (point[k] for k in ("config", "date", "isl", "osl", "conc"))
    spec = LAUNCH[(config, date)]
    url = lambda line: REPO.format(spec["commit"], spec["path"], line)  # noqa: E731
    tp = CONFIGS[config][3]
    cells, notes = {"tp": tp, "ep": point["ep"]}, []
    if spec["ep_tp"] is not None:  # the script sets EP_SIZE = TP (above a concurrency where it is a pair)
        above, line = (None, spec["ep_tp"]) if isinstance(spec["ep_tp"], int) else spec["ep_tp"]
        line = line if isinstance(line, int) else line[(isl, osl)]
        if above is None or conc > above:
            cells["ep"] = tp
            notes.append(f"ep_size = tp: {url(line)}")
    if spec["adp"] is not None:
        (a_isl, a_osl, above, line), timeout_line = spec["adp"]
        if (isl, osl) == (a_isl, a_osl) and conc > above:  # attention DP over the EP ranks: one attention rank a GPU
            cells |= {"tp": 1, "ep": tp, "adp_balancing_timeout_iters": 60}
            notes.append(f"enable_attention_dp true above conc {above} at {isl}/{osl}: {url(line)}; "
                         f"attention_dp_config timeout_iters 60: {url(timeout_line)}")
    kind, value, line = spec["budget"]
    line = line if isinstance(line, int) else line.get((isl, osl), line.get("else"))
    if kind != "const":  # MAX_NUM_TOKENS=$(( ($CONC+$ISL+64+63)/64*64 )) [, at least 8192]
        value = max((conc + isl + 127) // 64 * 64, value or 0)
    cells["max_num_tokens"] = value
    notes.append(f"max_num_tokens {value}: {url(line)}")
    if spec["kv"] is not None:
        cells["kv_dtype"] = spec["kv"][0]
        notes.append(f"KV cache {spec['kv'][0]}: {url(spec['kv'][1])}")
    return cells | {"engine_note": "; ".join(notes)}


def rows(points: pl.DataFrame) -> pl.DataFrame:
    """Three catalog rows per point (METRICS), every cell the run states."""
    out = []
    for p in points.iter_rows(named=True):
        hardware, framework, precision, tp = CONFIGS[p["config"]]
        cells = engine(p)
        run = f"https://github.com/SemiAnalysisAI/InferenceX/actions/runs/{p['run_id']}/attempts/{p['attempt']}"
        where = (f"{FIXTURE[0]}@{FIXTURE[1]}:{FIXTURE[2]} (read_file offset {p['offset']}): hardware "
                 f"{p['config'].split('-')[0]}, framework {p['config'].split('-')[1]}, model dsr1, precision "
                 f"{precision}, spec_method none, disagg false, is_multinode false, tp {tp}, ep {p['ep']}, "
                 f"dp_attention false, isl {p['isl']}, osl {p['osl']}, conc {p['conc']}, date {p['date']}")
        note = (f"SemiAnalysis InferenceX, DeepSeek-R1 {precision} on {tp} x {hardware} with {framework} "
                f"(image {p['image'] or 'not recorded'}), closed loop of {p['conc']} clients "
                f"(benchmark_serving --max-concurrency {p['conc']}, --request-rate inf, --num-prompts "
                f"{10 * p['conc']}, random dataset, --ignore-eos, --random-range-ratio {RANGE_RATIO}: prompt and "
                f"output lengths uniform in [int(0.8 L), L], means {mean_length(p['isl'])} / "
                f"{mean_length(p['osl'])} tokens). Engine: {cells['engine_note']}. Run {run}.")
        base = (f"infx-dsr1-{p['config']}-isl{p['isl']}-osl{p['osl']}-c{p['conc']}")
        for metric, column, unit, scale, statistic in METRICS:
            value = p[column] * (scale or tp)  # tokens/s: per GPU x the run's GPUs (tp x pp)
            out.append({
                "name": f"{base}-{metric.removesuffix('_s')}", "metric": metric, "value": round(value, 6),
                "unit": unit, "statistic": statistic, "model": "DeepSeek-R1", "hardware": hardware,
                "devices": tp, "compute_dtype": precision, "weight_dtype": precision, "framework": framework,
                "scenario": "server", "prompt_len": mean_length(p["isl"]), "output_len": mean_length(p["osl"]),
                "concurrency": p["conc"], "requests": 10 * p["conc"], "pp": 1,
                **{k: v for k, v in cells.items() if k != "engine_note"},
                "source_url": run, "last_verified": VERIFIED, "source_quality": "primary", "notes": note,
                "source_location": f"{where}, metrics.{column} {p[column]!r}"})
    return pl.DataFrame(out, infer_schema_length=None)


def main() -> None:
    points = pl.read_csv(HERE / "points.csv", schema_overrides={"date": pl.String, "image": pl.String})
    points = points.with_columns(ep=pl.lit(1))  # every point of points.csv: the fixture's decode_ep 1
    built = rows(points)
    built.write_csv(HERE / "rows.csv")
    print(f"{points.height} points, {built.height} rows -> rows.csv")


if __name__ == "__main__":
    main()
