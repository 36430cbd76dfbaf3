"""Issue 12 (LoRA part): give training-study measurement rows without a cluster the stand-in cluster the
r-mlperf rows got (registry_data/research/r-mlperf/scripts/combine.py): the smallest catalogued cluster of
the row's accelerator that holds its devices, with the same note. The H200 rows of MLPerf's
llama2_70b_lora were written before the clusters catalog had an H200 cluster, so they kept none and the
validation refused them ("training rows need a cluster"). Rows whose accelerator has no such cluster
(TPU, MI325X) are left alone, and so is a row that already names a cluster or carries the note:
replaying the script changes nothing.

Run (from the repository root; on main, on a fresh export so other helpers' rows are kept):
    mlsys catalog export --csv /tmp/cat --table measurements
    mlsys catalog export --csv /tmp/cat --table clusters
    python registry_data/research/r-lora/standin_clusters.py /tmp/cat /tmp/cat/measurements.csv
    mlsys catalog import --csv /tmp/cat/measurements.csv --table measurements
"""
import csv
import sys
from pathlib import Path

TRAINING_METRICS = {"step_time_s", "training_tokens_per_s", "mfu", "hfu", "time_to_train_s"}
NOTE = (" Cluster is a stand-in: the smallest catalogued cluster of this accelerator that holds {devices} devices;"
        " the system that produced the number is not in the clusters catalog.")


def main(export: Path, out: Path) -> None:
    with open(export / "clusters.csv", newline="") as f:
        clusters = [(r["name"], r["accelerator"], int(r["nodes []"]) * int(r["accelerators_per_node []"]))
                    for r in csv.DictReader(f)]
    with open(export / "measurements.csv", newline="") as f:
        reader = csv.DictReader(f)
        header, rows = reader.fieldnames, list(reader)
    changed = []
    for r in rows:
        training = r["scenario"] == "training" and (r["trained"] == "lora" or r["metric"] in TRAINING_METRICS)
        if not training or r["cluster"] or "Cluster is a stand-in" in r["notes"] or not r["devices []"]:
            continue
        devices = int(r["devices []"])
        fits = sorted((size, name) for name, accelerator, size in clusters
                      if accelerator == r["hardware"] and size >= devices)
        if fits:
            r["cluster"] = fits[0][1]
            r["notes"] += NOTE.format(devices=devices)
            changed.append((r["name"], r["cluster"]))
    with open(out, "w", newline="") as f:
        writer = csv.DictWriter(f, header)
        writer.writeheader()
        writer.writerows(rows)
    for name, cluster in changed:
        print(f"{name}: {cluster}")
    print(f"{len(changed)} rows given a stand-in cluster")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
