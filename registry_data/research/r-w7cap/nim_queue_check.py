"""Wall 7's closed-loop TTFT against its own discrete-event simulation (pipeline/validation/simulate.py: TensorRT-LLM's
token budget, oldest prompts first, a prompt longer than what is left chunked) at the NIM 1.8 configuration the
measurements catalog holds (Llama 3.3 70B as Llama 3.1 70B, 2 x H100 SXM5 TP2 fp8, 5,000 / 500 tokens), with the
simulated lengths fixed (spread 0, as AIPerf's synthetic ISL / OSL) and spread 30 % (users out of phase). Run from
the repository root (about 30 s):

    .venv/bin/python registry_data/research/r-w7cap/nim_queue_check.py
"""

from __future__ import annotations

from pipeline.catalogs.load import load_catalogs
from pipeline.spec import parse_spec
from pipeline.studies import serving
from pipeline.validation.simulate import closed_loop, replica_from_values

USERS = [5, 25, 50]
MEASURED_TTFT_S = {1: 0.40677, 5: 0.5467, 25: 0.68869, 50: 0.83451}  # measurements catalog, NIM 1.8.0 rows
AXES = {"model": ["Llama 3.1 70B"], "hardware": ["H100 SXM5 80GB"], "compute_dtype": ["fp8"], "weight_dtype": ["fp8"],
        "kv_dtype": ["fp8"], "tp": [2], "batch": [256], "prompt_len": [5000], "output_len": [500], "concurrency": USERS}


def main(requests: int = 3000) -> None:
    spec = parse_spec({"study": "serving", "axes": AXES, "efficiency": {"framework": "TensorRT-LLM"}}, "nim check")
    space = serving.build_space(load_catalogs(), spec)
    frame, units = serving.inputs(space)
    rows = serving.build(space).frame.collect().to_dicts()
    print("users  measured  closed form  sim spread 0  sim spread 0.3   (mean TTFT, s)")
    for c, values, row in zip(USERS, frame.collect().to_dicts(), rows, strict=True):
        sims = []
        for spread in (0.0, 0.3):
            lengths = {"input_tokens_std": spread * values["prompt_len"],
                       "output_tokens_std": spread * values["output_len"]}
            replica = replica_from_values(values | lengths, units, serving.FORMULAS)
            sims.append(closed_loop(replica, c, requests=requests, warmup=requests // 5).ttft_mean_s)
        print(f"{c:5d}  {MEASURED_TTFT_S[c]:8.3f}  {row['ttft_mean_s']:11.3f}  {sims[0]:12.3f}  {sims[1]:14.3f}")


if __name__ == "__main__":
    main()
