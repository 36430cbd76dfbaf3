import polars as pl, glob, sys
pl.Config.set_tbl_rows(60); pl.Config.set_tbl_width_chars(250)
def load(p):
    d = pl.read_parquet(glob.glob(p + "/validation/*/validation.parquet")[0])
    return d.select("line","name","metric","source_url","model","hardware","compute_dtype","tp","prompt_len","output_len","batch_used","error_pct")
a, b = load(sys.argv[1]), load(sys.argv[2])
j = a.join(b, on=["line","metric"], suffix="_new", nulls_equal=True)
m = j.filter((pl.col("error_pct") - pl.col("error_pct_new")).abs() > 0.05)
print(m.height, "rows moved;", m.group_by("metric").len())
print(m.select("model","hardware","compute_dtype","tp","prompt_len","output_len","batch_used","batch_used_new","error_pct","error_pct_new").sort("model","hardware"))
