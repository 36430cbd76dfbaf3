"""Relabel the MLPerf Training BERT-Large rows of the measurements catalog with the GEMM precision they ran.

Each row's notes said "precision no FP8=True found in the config files: bf16/AMP assumed". NVIDIA's BERT code (the
code every one of these submissions runs) states fp8 another way: the flag ``--use_transformer_engine2`` in a
config's EXTRA_PARAMS makes modeling.py build the encoder from Transformer Engine layers and run it under
``fp8_autocast(enabled=True, fp8_recipe=DelayedScaling(fp8_format=Format.HYBRID, ...))`` (training_results_v3.1
d06288b NVIDIA/benchmarks/bert/implementations/pytorch/modeling.py lines 702-710; v4.1 b87b9e3
b200_preview_pytorch/modeling.py 788-806; v5.0 0fdc28f nyx_n1_ngc25.04_pytorch/modeling.py 786-808 and 1222-1230),
whose te_layers.py runs every encoder GEMM as ``ext.fp8_gemm``. HYBRID: E4M3 forward, E5M2 gradients.

CONFIGS names, per row, the config the row ran and the EXTRA_PARAMS line holding the flag (the line number in the
row's own round and commit, taken from its source_url). How the config was matched, ``kind``:
- "layout": the config whose BATCHSIZE equals the result log's MLLOG ``d_batch_size`` and whose node count
  (DGXNNODES, the file name) is the row's (checked by hand; ``--verify`` re-checks the batch);
- "system": the submitter released a config for this system at another node count (same BATCHSIZE);
- "round": no config for this system was released (Dell's GB200 runs); every config of the submitter's BERT
  implementation in that round passes the flag, and so do NVIDIA's GB200 configs of the same round.
Rows without a config (Quanta Cloud Technology released no BERT code in v3.1 or v4.0) and the 434-node H100 row
(its config's EXTRA_PARAMS, line 19, has no --use_transformer_engine2: bf16 as labelled) keep their label.

    .venv/bin/python registry_data/research/r-bertfp8/relabel.py [registry_dir]
    .venv/bin/python registry_data/research/r-bertfp8/relabel.py --verify /work/.mirror   # re-read each config line

``--verify`` needs bare mirrors of mlcommons/training_results_v{3.1,4.0,4.1,5.0} (the ``fetch`` tool's
``<root>/mlcommons+training_results_vX.Y/repo``) and checks, per row, that the cited line is an uncommented
EXTRA_PARAMS holding the flag and that the config's BATCHSIZE equals the log's d_batch_size (kinds layout/system).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import polars as pl

from pipeline.catalogs.io import write_catalog
from pipeline.catalogs.paths import bundled_registry
from pipeline.catalogs.schemas import CATALOGS

FLAG = "--use_transformer_engine2"
OLD = "precision no FP8=True found in the config files: bf16/AMP assumed"
B = "benchmarks/bert/implementations"
DELL_GB200 = (f"Dell/{B}/pytorch/config_XE9680Lx8B200-SXM-180GB_1x8x48x1_pack.sh", 15, "round")
# row name (without "mlperf-train-" and "-bert-throughput") -> (config path in its round's repository, line, kind)
CONFIGS = {
    "v5.0-asustek-esc-n8-e11": (f"ASUSTeK/{B}/pytorch/config_DGXH100_1x8x48x1_pack.sh", 15, "layout"),
    "v5.0-cisco-hpf-n8": (f"Cisco/{B}/hpf_n8_ngc23.04_pytorch/config_DGXH100_8x8x72x1_pack.sh", 14, "layout"),
    "v5.0-dell-1xxe9712x4gb200": DELL_GB200,
    "v5.0-dell-2xxe9680lx8b200-sxm-180gb": (f"Dell/{B}/pytorch/config_XE9680Lx8B200-SXM-180GB_1x8x48x1_pack.sh", 15,
                                            "system"),
    "v5.0-dell-2xxe9680lx8h200-sxm-141gb": (f"Dell/{B}/pytorch/config_XE9680lx8H200-SXM-141GB_02x08x24x1_pack.sh", 15,
                                            "layout"),
    "v5.0-dell-4xxe9712x4gb200": DELL_GB200,
    "v5.0-dell-8xxe9712x4gb200": DELL_GB200,
    "v5.0-hpe-hpe-cray-xd670-h200-sxm5-141gb-n4-24.09": (f"HPE/{B}/pytorch/config_XD670_4x8x24x1_pack.sh", 15,
                                                         "layout"),
    "v5.0-nvidia-nyx-n1-ngc25.04-pytorch": (f"NVIDIA/{B}/nyx_n1_ngc25.04_pytorch/config_DGXB200_1x8x48x1_pack.sh", 15,
                                            "layout"),
    "v5.0-nvidia-tyche-ngpu512-ngc25.04-pytorch": (
        f"NVIDIA/{B}/tyche_ngpu512_ngc25.04_pytorch/config_GB200_128x4x8x1_pack.sh", 18, "layout"),
    "v5.0-nvidia-tyche-ngpu64-ngc25.04-pytorch": (
        f"NVIDIA/{B}/tyche_ngpu64_ngc25.04_pytorch/config_GB200_16x4x36x1_pack.sh", 18, "layout"),
    "v5.0-nvidia-tyche-ngpu8-ngc25.04-pytorch": (
        f"NVIDIA/{B}/tyche_ngpu8_ngc25.04_pytorch/config_GB200_2x4x48x1_pack.sh", 15, "layout"),
    "v5.0-oracle-8xbm.gpu.h200.8": (f"Oracle/{B}/8xBM.GPU.H200.8/config_DGXH100_8x8x36x1_pack.sh", 17, "layout"),
    "v4.1-clemson-6x8xh100-sxm5-80gb": (f"Clemson/{B}/pytorch/config_DGXH100_8x8x72x1.sh", 16, "layout"),
    "v4.1-dell-xe8640x4h100-sxm-80gb": (f"Dell/{B}/pytorch/config_XE8640x4H100_SXM_80GB.sh", 16, "layout"),
    "v4.1-fujitsu-gx2560m7-h100-sxm-80gbx4": (
        f"Fujitsu/{B}/GX2560M7_H100_SXM_80GBx4/config_GX2560M7_1x4x112x1_pack.sh", 15, "layout"),
    "v4.1-nvidia-b200-preview-pytorch": (f"NVIDIA/{B}/b200_preview_pytorch/config_DGXB200_1x8x48x1_pack.sh", 15,
                                         "layout"),
    "v4.1-nvidia-eos-n8-ngc23.04-pytorch": (f"NVIDIA/{B}/eos_n8_ngc23.04_pytorch/config_DGXH100_8x8x72x1.sh", 15,
                                            "layout"),
    "v4.1-nvidia-eos-ngc23.04-pytorch": (f"NVIDIA/{B}/eos_ngc23.04_pytorch/config_DGXH100_1x8x48x1_pack.sh", 15,
                                         "layout"),
    "v4.1-nvidia-h200-ngc23.09-pytorch": (f"NVIDIA/{B}/h200_ngc23.09_pytorch/config_DGXH100_1x8x48x1_pack.sh", 15,
                                          "layout"),
    "v4.0-asustek-esc8000a-e12-8xh100-pcie-80gb": (f"ASUSTeK/{B}/pytorch/config_DGXH100_1x8x48x1_pack.sh", 15,
                                                   "layout"),
    "v4.0-asustek-esc-n8a-e12": (f"ASUSTeK/{B}/pytorch/config_DGXH100_1x8x48x1_pack.sh", 15, "layout"),
    "v4.0-dell-xe9640x4h100-sxm-80gb": (f"Dell/{B}/pytorch/config_XE9640x4H100-SXM-80GB.sh", 15, "layout"),
    "v4.0-hpe-hpe-cray-xd670-gen11-h100-sxm5-80gb-n2-pytorch-23.09": (
        f"HPE/{B}/pytorch/config_XD670_2x8x24x1_pack.sh", 15, "layout"),
    "v4.0-supermicro-sys-421ge-tnhr2-lcc-8": (f"Supermicro/{B}/pytorch/config_SYS-421GE-TNHR2-LCC_8x8x36x1_pack.sh", 17,
                                              "layout"),
    "v3.1-asustek-esc-n8-e11": (f"ASUSTeK/{B}/pytorch/config_DGXH100_1x8x48x1_pack.sh", 15, "layout"),
    "v3.1-asustek-esc8000-e11-8xh100-pcie-80gb": (f"ASUSTeK/{B}/pytorch/config_DGXH100_1x8x48x1_pack.sh", 15, "layout"),
    "v3.1-dell-2xxe9680x8h100-sxm-80gb": (f"Dell/{B}/pytorch/config_XE9680_2x8x48x1_pack.sh", 15, "layout"),
    "v3.1-dell-xe8640x4h100-sxm-80gb": (f"Dell/{B}/pytorch/config_XE8640x4H100_SXM_80GB.sh", 15, "layout"),
    "v3.1-lenovo-sr675v3-4xh100-sxm5-96gb-700w": (
        f"Lenovo/{B}/SR675v3-4xH100_SXM5_96GB_700W/config_DGXH100_1x4x48x1_pack.sh", 16, "layout"),
    "v3.1-supermicro-sys-421gu-tnxr": (f"Supermicro/{B}/SYS-421GU-TNXR/config_DGXH100_1x4x48x1_pack.sh", 15, "layout"),
}
KEPT = {  # rows checked and left as labelled, with why
    "v4.1-nvidia-eos-n434-ngc23.09-pytorch": "config_DGXH100_434x8x2x1_pack_clipafter.sh line 19: EXTRA_PARAMS "
                                             "without --use_transformer_engine2 (bf16 as labelled)",
    "v4.0-quanta-cloud-technology-d54u-3u": "Quanta Cloud Technology released no BERT code in v4.0",
    "v3.1-quanta-cloud-technology-d54u-3u": "Quanta Cloud Technology released no BERT code in v3.1",
}
N434 = {"v4.1-nvidia-eos-n434-ngc23.09-pytorch": f"NVIDIA/{B}/eos_n434_ngc23.09_pytorch/"
                                                 "config_DGXH100_434x8x2x1_pack_clipafter.sh"}
KINDS = {"layout": "the config matching the result log's nodes and d_batch_size",
         "system": "this system's released config (same BATCHSIZE, one node)",
         "round": "no config for this system released; every BERT config of the submitter's round passes it"}


def short(name: str) -> str:
    return name.removeprefix("mlperf-train-").removesuffix("-bert-throughput")


def round_and_commit(source_url: str) -> tuple[str, str]:
    found = re.search(r"training_results_v([\d.]+)/blob/([0-9a-f]{40})/", source_url)
    if found is None:
        raise ValueError(f"measurements: source_url {source_url!r} is not an mlcommons/training_results_vX.Y blob URL")
    return found.group(1), found.group(2)


def bert_rows(measurements: pl.DataFrame) -> pl.DataFrame:
    return measurements.filter(pl.col("model") == "BERT-Large", pl.col("scenario") == "training",
                               pl.col("name").str.starts_with("mlperf-train-"))


def relabelled(measurements: pl.DataFrame) -> pl.DataFrame:
    """fp8 on every row CONFIGS names, its notes' precision sentence replaced by the config line that says so."""
    names = {short(n) for n in bert_rows(measurements)["name"]}
    unknown = names - set(CONFIGS) - set(KEPT)
    if unknown:
        raise ValueError(f"measurements: BERT training rows {sorted(unknown)} are in neither CONFIGS nor KEPT")
    notes = {}
    for name, url in bert_rows(measurements).select("name", "source_url").iter_rows():
        if short(name) in CONFIGS:
            path, line, kind = CONFIGS[short(name)]
            version, commit = round_and_commit(url)
            notes[name] = (f"precision fp8 GEMMs (Transformer Engine fp8_autocast, DelayedScaling HYBRID): "
                           f"training_results_v{version}@{commit[:7]} {path} line {line} passes {FLAG} ({KINDS[kind]}; "
                           f"registry_data/research/r-bertfp8/relabel.py)")
    table = pl.DataFrame({"name": list(notes), "_note": list(notes.values())}, schema={"name": pl.String,
                                                                                       "_note": pl.String})
    out = measurements.join(table, on="name", how="left")
    hit = pl.col("_note").is_not_null()
    return out.with_columns(
        pl.when(hit).then(pl.lit("fp8")).otherwise(pl.col("compute_dtype")).alias("compute_dtype"),
        pl.when(hit & pl.col("notes").str.contains(OLD, literal=True))
        .then(pl.col("notes").str.replace(OLD, pl.col("_note"), literal=True))
        .when(hit & ~pl.col("notes").str.contains("relabel.py", literal=True))
        .then(pl.col("notes") + " " + pl.col("_note"))
        .otherwise(pl.col("notes")).alias("notes"),
    ).drop("_note")


def git_show(mirrors: Path, version: str, commit: str, path: str) -> str:
    repo = mirrors / f"mlcommons+training_results_v{version}" / "repo"
    return subprocess.run(["git", "-C", str(repo), "show", f"{commit}:{path}"], capture_output=True, text=True,
                          check=True).stdout


def log_batch(log: str) -> int:
    for line in log.splitlines():
        if '"key": "d_batch_size"' in line:
            return int(json.loads(line.split(":::MLLOG", 1)[1])["value"])
    raise ValueError("no d_batch_size in the result log")


def round_configs(mirrors: Path, version: str, commit: str, path: str) -> list[str]:
    """The submitter's BERT configs of that round (common and mount files aside)."""
    repo = mirrors / f"mlcommons+training_results_v{version}" / "repo"
    files = subprocess.run(["git", "-C", str(repo), "ls-tree", "-r", "--name-only", commit, path.split("/")[0]],
                           capture_output=True, text=True, check=True).stdout.splitlines()
    return [f for f in files if re.search(r"/benchmarks/bert/.*config[^/]*\.sh$", f)
            and not re.search(r"common|mounts", f)]


def verify(measurements: pl.DataFrame, mirrors: Path) -> list[str]:
    """One line per row: the cited config line re-read from the round's repository; problems listed last."""
    report, problems = [], []
    for name, url in bert_rows(measurements).select("name", "source_url").iter_rows():
        if short(name) in KEPT:
            report.append(f"kept {short(name)}: {KEPT[short(name)]}")
            if short(name) in N434 and FLAG in git_show(mirrors, *round_and_commit(url), N434[short(name)]):
                problems.append(f"{short(name)}: {N434[short(name)]} passes {FLAG}")
            continue
        path, line, kind = CONFIGS[short(name)]
        version, commit = round_and_commit(url)
        config = git_show(mirrors, version, commit, path).splitlines()
        text = config[line - 1] if 0 < line <= len(config) else ""
        batch = [v for v in (re.fullmatch(r"export BATCHSIZE=(\d+)\s*(#.*)?", c.strip()) for c in config) if v]
        d_batch = log_batch(git_show(mirrors, version, commit, url.split(f"{commit}/", 1)[1]))
        if not (text.startswith("export EXTRA_PARAMS=") and FLAG in text):
            found = [i + 1 for i, c in enumerate(config) if c.startswith("export EXTRA_PARAMS=") and FLAG in c]
            problems.append(f"{short(name)}: {path} line {line} has no {FLAG} (lines with it: {found})")
        if kind == "round":
            problems += [f"{short(name)}: {other} has no {FLAG}"
                         for other in round_configs(mirrors, version, commit, path)
                         if FLAG not in git_show(mirrors, version, commit, other)]
        if kind != "round" and (not batch or int(batch[-1].group(1)) != d_batch):
            problems.append(f"{short(name)}: {path} BATCHSIZE {batch and batch[-1].group(1)} != log {d_batch}")
        report.append(f"fp8 {short(name)}: v{version} {path}:{line} ({kind}; log d_batch_size {d_batch})")
    return report + [f"PROBLEM {p}" for p in problems]


def main(argv: list[str]) -> None:
    if argv[:1] == ["--verify"]:
        lines = verify(pl.read_parquet(bundled_registry() / "measurements.parquet"), Path(argv[1]))
        print("\n".join(lines))
        sys.exit(1 if any(x.startswith("PROBLEM") for x in lines) else 0)
    registry = Path(argv[0]) if argv else bundled_registry()
    out = relabelled(pl.read_parquet(registry / "measurements.parquet"))
    moved = bert_rows(out).group_by("compute_dtype").len().sort("compute_dtype")
    print("BERT training rows by compute_dtype: " + ", ".join(f"{d} {n}" for d, n in moved.iter_rows()),
          file=sys.stderr)
    schema = CATALOGS["measurements"].to_schema().columns
    print(write_catalog(out.select(list(schema)), "measurements", registry))


if __name__ == "__main__":
    main(sys.argv[1:])
