#!/bin/sh
# The scratch folder the command lists run in (run.py: cwd /tmp/tryout-run) and the mistaken inputs of m1.txt/m2.txt.
# Usage, from the checkout: sh registry_data/research/r-tryout/setup.sh; then, in this folder,
#   ../../../.venv/bin/python run.py b1.txt /tmp/tryout-work/log.jsonl   (b1..b8 in order; m1, m2: mist.jsonl)
set -e
CHECKOUT=$(cd "$(dirname "$0")/../../.." && pwd)
mkdir -p /tmp/tryout-run /tmp/tryout-work && cd /tmp/tryout-run
for d in .venv registry_data tests sql; do ln -sfn "$CHECKOUT/$d" "$d"; done
.venv/bin/mlsys catalog export --csv mcsv/ --table hardware >/dev/null
mkdir -p mist
.venv/bin/python - <<'PY'
import csv, os
rows = list(csv.reader(open("mcsv/hardware.csv"))); h = rows[0]
bw, cap = h.index("memory_bandwidth_bytes_per_s [B/s]"), h.index("memory_capacity_bytes [B]")
tdp = h.index("tdp_w [W]")
def w(name, edit, table="hardware"):
    r = [list(x) for x in rows]; edit(r); os.makedirs(f"mist/{name}", exist_ok=True)
    csv.writer(open(f"mist/{name}/{table}.csv", "w", newline="")).writerows(r)
w("nan", lambda r: r[3].__setitem__(bw, "NaN"))
w("unit_gb", lambda r: r[0].__setitem__(cap, "memory_capacity_bytes [GB]"))      # values stay in bytes
w("unit_tflops_in_w", lambda r: r[0].__setitem__(tdp, "tdp_w [TFLOP/s]"))
w("unit_bad", lambda r: r[0].__setitem__(bw, "memory_bandwidth_bytes_per_s [furlongs]"))
w("neg", lambda r: r[5].__setitem__(bw, "-3e12"))
w("text", lambda r: r[5].__setitem__(bw, "3.35 TB/s"))
w("badday", lambda r: r[2].__setitem__(h.index("last_verified"), "12/03/2026"))
w("inf", lambda r: r[4].__setitem__(bw, "inf"))
os.makedirs("mist/nocol", exist_ok=True); os.makedirs("mist/dup", exist_ok=True); os.makedirs("mist/extra", exist_ok=True)
csv.writer(open("mist/nocol/hardware.csv", "w", newline="")).writerows([r[:bw] + r[bw + 1:] for r in rows])
csv.writer(open("mist/dup/hardware.csv", "w", newline="")).writerows(rows + [rows[5]])
csv.writer(open("mist/extra/hardware.csv", "w", newline="")).writerows([rows[0] + ["foo_bar [B]"]] + [r + ["1"] for r in rows[1:]])
open("mist/wrongcols.csv", "w").write("model,hardware,value\nLlama 3 8B,H100 SXM5 80GB,3\n")
PY
printf 'study = "serving"\n[axes]\nhardware = ["H100 SXM 80GB"]\nmodel = ["Llama 3 8B"]\nbatch = [0, 8]\n' > mist/badhw.toml
printf 'study = "serving"\n[axes]\nhardware = ["H100 SXM5 80GB"]\nmodel = ["Llama 3 8B"]\nbatch = [-1, 8]\n' > mist/negbatch.toml
printf 'study = "serving"\n[axes]\nhardware = ["H100 SXM5 80GB"]\nmodel = ["Llama 3 8B"\nbatch = [8]\n' > mist/badtoml.toml
printf 'study = "serving"\n[axes]\nhardware = ["H900"]\nmodel = ["Llama 3 8B"]\nbatch = [8]\n' > mist/unkhw.toml
printf 'study = "serving"\n[axes]\nhardware = ["H100 SXM5 80GB"]\nmodel = ["Llama 3 8B"]\nbatchsize = [8]\n' > mist/unkaxis.toml
printf 'study = "servng"\n[axes]\nbatch=[8]\n' > mist/unkstudy.toml
cp mist/nan/hardware.csv mist/hardware_edited.csv
# a TinyLlama-shaped config.json for the README's --hf-config command (L970)
cat > tiny_config.json <<'JSON'
{"architectures": ["LlamaForCausalLM"], "model_type": "llama", "hidden_size": 2048, "intermediate_size": 5632,
 "num_hidden_layers": 22, "num_attention_heads": 32, "num_key_value_heads": 4, "vocab_size": 32000,
 "max_position_embeddings": 2048, "tie_word_embeddings": false, "rms_norm_eps": 1e-05, "torch_dtype": "bfloat16"}
JSON
