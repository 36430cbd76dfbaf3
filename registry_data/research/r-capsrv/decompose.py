"""Wall 7's capacity against the model's own Offline throughput, term by term, for chosen MLPerf Server rows.

For a Server TTFT row (its ``line`` in a validation run) and the same submission's Offline tokens/s row:
- the capacity, mu = 1 / (tau_b + G (itl(b_cap) + o) / b_cap) (wall 7, ``capacity_requests_per_s``), from the
  row's own configuration at its request rate (``serving_rows.serving_spec``, the one-configuration path);
- its parts priced again by the one-configuration path at fixed batches: the decode round at b_cap (``itl_s``, the
  scheduler's overhead o in it), tau_b = the prefill pass of the budget-filling chunk / chunk (``ttft_s`` at that
  batch, pp = 1), so mu is recomputed by hand as a check (``cap_by_hand``: the chunk's price, HEAD;
  ``cap_offline_price``: prefill(b_cap) / b_cap, capacity_offline.patch);
- the Offline formula (wall 4, ``pipeline_busy.batch_tokens_per_s``: b G / (prefill(b) + (G - 1)(itl(b) + stall)))
  on the same configuration at b_cap;
- the Offline row's own prediction (its config: batch, budget, layout) from the validation run.
Printed as system tokens/s and as seconds per request per replica, the terms of the difference.

    .venv/bin/mlsys validate --out /tmp/val
    .venv/bin/python registry_data/research/r-capsrv/decompose.py /tmp/val 2411 2213 ...
"""

from __future__ import annotations

import glob
import math
import sys

import polars as pl

from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import single
from pipeline.validation.serving_rows import Datasets, serving_spec

KEY = ["submitter", "model", "hardware", "devices", "framework", "compute_dtype"]


def table(run: str) -> pl.DataFrame:
    found = sorted(glob.glob(f"{run}/validation/*/validation.parquet"))[-1]
    rows = pl.read_parquet(found).filter(pl.col("source_url").str.contains("inference_results_v"),
                                         pl.col("study") == "serving")
    return rows.with_columns(submitter=pl.col("source_url").str.extract(r"/closed/([^/]+)/"),
                             src=pl.col("source_url").str.extract(r"inference_results_(v[\d.]+)"),
                             held=pl.col("notes").str.contains("v6.0 closed", literal=True))


def with_prompt(r: dict, datasets: Datasets) -> dict:
    r = dict(r)
    name = datasets.names.get(r["dataset"] or "")
    if r["prompt_len"] is None and name:
        r["prompt_len"] = round(datasets.means[name]["input_tokens_mean"] or 0) or None
    return r


def ask(spec: dict, catalogs, **axes) -> dict:
    spec = {**spec, "axes": {k: v for k, v in spec["axes"].items() if k not in ("request_rate", "replicas")}
            | {k: [v] for k, v in axes.items()}}
    answer = single.answer(parse_spec(spec, "r-capsrv"), catalogs)
    assert answer is not None and answer.rows, spec
    return answer.rows[0]


def decompose(rows: pl.DataFrame, line: int, catalogs, datasets: Datasets) -> dict:
    srv = with_prompt(rows.filter(pl.col("line") == line, pl.col("metric") == "ttft_s").row(0, named=True), datasets)
    spec, _ = serving_spec(srv, datasets)
    load = single.answer(parse_spec(spec, "r-capsrv"), catalogs).rows[0]
    g, replicas = float(srv["output_len"]), load["replicas"]
    budget = (spec.get("serving") or {}).get("prefill_chunk_tokens")
    groups = load["attention_dp"]
    cap = min(float(spec["axes"]["batch"][0]), load["max_batch_paged"],
              math.floor(budget * groups) if budget else math.inf)
    cap = max(1, int(cap))
    at_cap = ask(spec, catalogs, batch=cap)
    chunk = max(1, min(cap, math.floor(budget / load["prefill_new_tokens"]))) if budget else 1
    at_chunk = ask(spec, catalogs, batch=chunk)
    tau_b = at_chunk["ttft_s"] / chunk
    itl = at_cap["itl_s"]  # the decode round at b_cap with the scheduler's overhead
    t_cap = tau_b + g * itl / cap
    t_off = at_cap["ttft_s"] / cap + (g - 1) * (itl + at_cap["attention_dp_stall_s"]) / cap
    off = rows.filter(pl.col("metric") == "tokens_per_s", pl.col("scenario") == "offline",
                      pl.col("src") == srv["src"], pl.col("held") == srv["held"],
                      *[pl.col(k) == srv[k] for k in KEY])
    off_row = with_prompt(off.row(0, named=True), datasets) if off.height else None
    result = {"line": line, "model": srv["model"], "hardware": srv["hardware"][:18], "sub": srv["submitter"],
              "G": g, "P": load["prefill_new_tokens"], "batch": spec["axes"]["batch"][0],
              "kv_cap": load["max_batch_paged"], "budget": budget, "b_cap": cap, "chunk": chunk,
              "cap_tok_s": load["capacity_requests_per_s"] * replicas * g,
              "cap_by_hand": replicas * g / t_cap,  # the chunk's price (HEAD's capacity_requests_per_s)
              "cap_offline_price": replicas * g / (at_cap["ttft_s"] / cap + g * itl / cap),  # capacity_offline.patch
              "offline_same_cfg": at_cap["batch_tokens_per_s"] * replicas,
              "offline_row_pred": off_row and off_row["predicted"], "offline_row_meas": off_row and off_row["measured"],
              "offline_row_batch": off_row and off_row["batch_used"],
              "served": srv["request_rate"] * g,
              # seconds per request per replica: capacity's terms against the Offline formula's at b_cap
              "cap_prefill_s": tau_b, "off_prefill_s": at_cap["ttft_s"] / cap,
              "cap_decode_s": g * itl / cap, "off_decode_s": (g - 1) * itl / cap,
              "off_stall_s": (g - 1) * at_cap["attention_dp_stall_s"] / cap, "t_cap": t_cap, "t_off": t_off}
    return result


def main(run: str, *lines: str) -> None:
    catalogs = load_catalogs()
    datasets = Datasets.of(catalogs.workloads, catalogs.models)
    rows = table(run)
    out = pl.from_dicts([decompose(rows, int(line), catalogs, datasets) for line in lines])
    with pl.Config(tbl_rows=50, tbl_width_chars=250, tbl_cols=40, tbl_hide_dataframe_shape=True,
                   tbl_formatting="ASCII_MARKDOWN", tbl_hide_column_data_types=True, float_precision=4):
        print(out.select("line", "model", "hardware", "sub", "G", "P", "batch", "kv_cap", "budget", "b_cap", "chunk",
                         "offline_row_batch"))
        print(out.select("line", "cap_tok_s", "cap_by_hand", "cap_offline_price", "offline_same_cfg",
                         "offline_row_pred", "offline_row_meas", "served",
                         (pl.col("cap_tok_s") / pl.col("offline_same_cfg")).alias("cap/off_same"),
                         (pl.col("offline_same_cfg") / pl.col("offline_row_pred")).alias("off_same/off_row"),
                         (pl.col("cap_tok_s") / pl.col("offline_row_pred")).alias("cap/off_row")))
        print(out.select("line", "cap_prefill_s", "off_prefill_s", "cap_decode_s", "off_decode_s", "off_stall_s",
                         "t_cap", "t_off"))


if __name__ == "__main__":
    main(*sys.argv[1:])
