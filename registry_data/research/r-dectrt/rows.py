import polars as pl, sys, glob
f = glob.glob(sys.argv[1] + "/validation/*/validation.parquet")[0]
d = pl.read_parquet(f)
t = d.filter(pl.col("metric") == "tokens_per_s", pl.col("source_url").str.contains("TensorRT-LLM"),
             pl.col("source_url").str.contains("perf-overview"))
print(f, t.height, "rows; predicted", t.filter(pl.col("predicted").is_not_null()).height)
t = t.with_columns(err=pl.col("error_pct"))
print("median signed", t["err"].median(), "median abs", t["err"].abs().median())
for g in (["prompt_len", "output_len"], ["compute_dtype"], ["model"], ["bound"], ["hardware"]):
    print(t.group_by(g).agg(n=pl.len(), med=pl.col("err").median(), mabs=pl.col("err").abs().median()).sort(g))
