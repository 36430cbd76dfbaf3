import glob, sys
import polars as pl
from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import single
OPS = ("qkv_proj", "attention", "o_proj", "mlp", "norms", "lm_head")
cat = load_catalogs()
d = pl.read_parquet(glob.glob(sys.argv[1] + "/validation/*/validation.parquet")[0])
t = d.filter(pl.col("metric") == "tokens_per_s", pl.col("source_url").str.contains("perf-overview"), pl.col("framework")=="TensorRT-LLM")
sel = [("Llama 3.1 8B","H100 SXM5 80GB",1,128,2048),("Llama 3.1 8B","H200 SXM 141GB",1,128,128),("Llama 3.1 70B","H100 SXM5 80GB",4,128,4096),
       ("Llama 3.1 70B","H100 SXM5 80GB",2,1000,1000),("Llama 3.1 8B","A100 SXM4 80GB",1,128,2048),("Llama 3.1 70B","H200 SXM 141GB",2,2048,2048)]
for m,h,tp,i,o in sel:
    r0 = t.filter(model=m,hardware=h,tp=tp,prompt_len=i,output_len=o).row(0, named=True)
    spec = {"study": "serving", "axes": {"model":[m],"hardware":[h],"compute_dtype":[r0["compute_dtype"]],"weight_dtype":[r0["weight_dtype"] or r0["compute_dtype"]],
            "kv_dtype":[r0["compute_dtype"] if r0["compute_dtype"] in ("fp8",) else "fp16"],"tp":[tp],"pp":[1],"batch":[int(r0["batch_used"])],"prompt_len":[i],"output_len":[o]},
            "efficiency":{"framework":"TensorRT-LLM"}}
    r = single.answer(parse_spec(spec,"t"), cat, breakdown=True).rows[0]
    L = r.get("n_layers") or 0
    print(f"\n{m} {h} tp{tp} {i}/{o} {r0['compute_dtype']} batch {r0['batch_used']} err {r0['error_pct']:.1f}%: ITL {r['itl_s']*1e3:.2f} ms")
    for op in OPS:
        tt, fl, nb = r[f"decode_{op}_time_s"], r[f"decode_{op}_flop"], r[f"decode_{op}_bytes"]
        print(f"  {op:9s}: {tt*1e3:8.4f} ms/layer  {fl/tt/1e12:6.0f} TFLOP/s {nb/tt/1e9:6.0f} GB/s {r[f'decode_{op}_bound']}")
    print("  comm", r["decode_communication_time_s"]*1e3, "launch", r["decode_launch_overhead_s"]*1e3)
