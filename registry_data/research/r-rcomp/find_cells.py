"""The activation recomputation each MLPerf Training row's own implementation sets, where the row leaves ``recompute``
null (validation then assumes "selective", pipeline/validation/training_spec.py), one line per cell into
``cells.csv`` and one line per row left null into ``unresolved.csv`` (with why).

A row's implementation is the folder of the config_*.sh its notes name (the row's source_url commit, the local
mirror of mlcommons/training_results_vX.Y). Two ways a NeMo implementation can set recomputation, both checked:

1. The entry script (pretrain.py / train.py) builds its NeMo 2 model config itself (``Llama31Config8B(``,
   ``Llama31Config405B(``, ``llm.Llama2Config70B(``) and names neither "recompute" nor "activations_checkpoint":
   the yaml's key is never read, Megatron-Core's TransformerConfig keeps ``recompute_granularity`` None
   (megatron/core/transformer/transformer_config.py), NeMo's Llama config classes set none. Cited: that line.
2. Otherwise the model yaml's granularity key, ``activations_checkpoint_granularity`` (NeMo 1 MegatronGPTModel) or
   ``recompute_granularity`` (the v5.1 LoRA train.py passes it to the model config), read from an environment
   variable with default null. Cited: that yaml line; null = no recomputation.

Either way every shell script of the implementation (vendored NeMo / Megatron-LM trees left out) is searched for an
assignment of a recompute or CPU-offloading variable. One in the row's own config chain (the named config and what
it sources) leaves the row null: full on N of L layers, block, activation offloading are what the catalog's
vocabulary (pipeline/spec/axes.py RECOMPUTE) cannot say. One only in other configs of the folder is not the row's.

A cell is then checked against the run's own log (the row's source_url, a result file): NeMo prints the model yaml
(``activations_checkpoint_granularity: null``) and NeMo 2 Megatron-Core's TransformerConfig as built
(``recompute_granularity=None``); a log that disagrees leaves the row null, one that agrees is cited too. A row whose
implementation cannot be read (no config named, no folder or entry script in the submission, a sourced file missing)
is stated only where that log prints no recomputation and no CPU offloading, cited to the log line. A Google MaxText
row: the ``remat_policy=`` of the run script its notes name, as the fork's MaxText/layers/models.py applies it
(``REMAT``: "minimal" is selective by FLOPs; others the vocabulary cannot say are left null).

    .venv/bin/python registry_data/research/r-rcomp/find_cells.py [MIRRORS] [CATALOG]

MIRRORS: the folder holding mlcommons+training_results_vX.Y/repo (default /work/.mirror). CATALOG: the measurements
parquet the cells are found on (default: the bundled one), the catalog before apply.py replayed them (a row apply.py
already filled is skipped): git show aaeb2cdc:registry_data/measurements.parquet > BEFORE; then find_mbridge.py.
"""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import polars as pl

HERE = Path(__file__).parent
REGISTRY = HERE.parent.parent
TRAINING = ("step_time_s", "training_tokens_per_s", "mfu", "hfu", "samples_per_s")
RECOMPUTE_VARS = ("ACT_CKPT_GRANULARITY", "ACT_CKPT_METHOD", "ACT_CKPT_NUM_LAYERS", "ACG", "ACM", "ACL",
                  "RECOMPUTE_GRANULARITY", "RECOMPUTE_METHOD", "RECOMPUTE_NUM_LAYERS", "RECOMPUTE_MODULES")
OFFLOAD_VARS = ("CPU_OFFLOADING", "CPU_OFFLOADING_NUM_LAYERS")
ASSIGN = re.compile(rf"\b({'|'.join(RECOMPUTE_VARS + OFFLOAD_VARS)})=([^\s;&]*)")
VENDORED = re.compile(r"/(NeMo|Megatron-LM|megatron-lm|TransformerEngine|apex|nemo)/")
YAML_KEY = re.compile(r"^\s+(activations_checkpoint_granularity|recompute_granularity): "
                      r"\$\{oc\.decode:\$\{oc\.env:(\w+),null\}\}")
CONFIG_CLASS = {"Llama 3.1 8B": "Llama31Config8B", "Llama 3.1 405B": "Llama31Config405B",
                "Llama 2 70B": "Llama2Config70B"}  # the NeMo 2 model config a row's entry script builds
ENTRIES = ("pretrain.py", "train.py")
REMAT = {  # MaxText remat_policy -> the catalog's recompute, and why (the policy the fork's models.py applies)
    "minimal": ("selective", "jax.checkpoint_policies.checkpoint_dots_with_no_batch_dims keeps the weight matmuls' "
                "outputs (QKV, output projection, FC1, FC2) and recomputes what has batch dimensions, the attention "
                "core, with the norms and activations: selective by FLOPs (Korthikanti et al. 2022 §4.3); it keeps "
                "less than selective, so its memory is an upper bound"),
    "full": ("full", "no policy: every layer recomputed"),
}
FIELDS = ["name", "column", "value", "repository", "commit", "path", "line", "why"]


def git(mirror: Path, *args: str) -> str:
    out = subprocess.run(["git", "--git-dir", str(mirror), *args], capture_output=True, text=True)
    return out.stdout if out.returncode == 0 else ""


def rows(catalog: Path) -> pl.DataFrame:
    """The training rows (the training study's metrics, LoRA rows' samples/s) of an MLPerf Training results
    repository whose recompute is null."""
    m = pl.read_parquet(catalog)
    url = r"^https://github\.com/(mlcommons/training_results_v[0-9.]+)/blob/([0-9a-f]{40})/"
    training = pl.col("metric").is_in(TRAINING[:4]) | (pl.col("trained") == "lora")
    return (m.filter(training & pl.col("recompute").is_null() & pl.col("source_url").str.contains(url))
            .with_columns(repository=pl.col("source_url").str.extract(url, 1),
                          commit=pl.col("source_url").str.extract(url, 2)).sort("name"))


def implementation(notes: str, commit: str, tree: set[str]) -> tuple[str | None, str | None]:
    """The folder and the named config of a row (its notes' config_*.sh paths; a folder missing at the commit
    matched by its name under the same benchmark's implementations, e.g. a submitter folder renamed)."""
    paths = sorted({p.split(f"{commit}/")[-1] for p in re.findall(r"[\w.+/-]*/benchmarks/[\w.+/-]*config_[\w.-]+\.sh",
                                                                   notes)})
    named = [p for p in paths if "common" not in p.rsplit("/", 1)[-1]] or paths
    if not named:
        return None, None
    folder = named[0].rsplit("/", 1)[0].removesuffix("/configs")
    if not any(f.startswith(folder + "/") for f in tree):
        tail = "/".join(folder.split("/")[1:])
        found = {f.split("/benchmarks/")[0] + "/" + tail for f in tree if f"/{tail}/" in f"/{f}"}
        if len(found) != 1:
            return None, None
        new = found.pop()
        named = [p.replace(folder, new, 1) for p in named]
        folder = new
    config = named[0] if "common" not in named[0].rsplit("/", 1)[-1] else None
    return folder, config


def chain(mirror: Path, commit: str, config: str, tree: set[str], assigned: set[str]) -> list[str]:
    """The named config and every file it sources (``source $(dirname ...)/x.sh``), in order: a file not beside
    the config is taken from the implementation's configs/ folder (or the folder above it), and the then-branch of an
    ``if [[ "${VAR:-}" == ... ]]`` is skipped when no script of the implementation assigns VAR (the else-branch
    runs). A sourced file found nowhere stays in the list (the caller decides)."""
    out, todo = [], [config]
    while todo:
        path = todo.pop(0)
        if path in out:
            continue
        out.append(path)
        folder = path.rsplit("/", 1)[0]
        skip = False
        for line in git(mirror, "show", f"{commit}:{path}").splitlines():
            cond = re.match(r'^\s*if \[\[ "\$\{(\w+)(?::-)?\}" == ', line)
            if cond:
                skip = cond.group(1) not in assigned
                continue
            if re.match(r"^\s*else\b", line):
                skip = False
                continue
            if re.match(r"^\s*fi\b", line):
                skip = False
                continue
            s = re.match(r"^\s*(?:source|\.)\s+(?:\$\(dirname[^)]*\)/)?(?:\./)?([\w./-]+\.sh)\b", line)
            if s and not skip:
                near = [f"{folder}/{s.group(1)}", f"{folder}/configs/{s.group(1)}",
                        f"{folder.removesuffix('/configs')}/{s.group(1)}"]
                todo.append(next((n for n in near if n in tree), near[0]))
    return out


def line_of(text: str, pattern: re.Pattern) -> tuple[int, re.Match] | None:
    for i, line in enumerate(text.splitlines(), start=1):
        m = pattern.search(line)
        if m:
            return i, m
    return None


def maxtext(mirror: Path, r: dict, tree: set[str]) -> tuple[dict | None, str]:
    """A Google MaxText GPT-3 row: the ``remat_policy=`` of the run script its notes name, as the fork's
    MaxText/layers/models.py maps it (``REMAT``); a policy the vocabulary cannot say is left null."""
    commit = r["commit"]
    script = next((p for p in re.findall(r"Google/benchmarks/gpt3/implementations/maxtext/[\w./-]+\.sh", r["notes"])
                   if p in tree), None)
    if script is None:
        return None, "no MaxText run script named in the notes"
    hit = line_of(git(mirror, "show", f"{commit}:{script}"), re.compile(r"\bremat_policy=(\w+)"))
    if hit is None:
        return None, f"{script} sets no remat_policy"
    policy = hit[1].group(1)
    models = "Google/benchmarks/gpt3/implementations/maxtext/maxtext_fork/MaxText/layers/models.py"
    at = line_of(git(mirror, "show", f"{commit}:{models}"), re.compile(rf"remat_policy == ['\"]{policy}['\"]"))
    if policy not in REMAT or at is None:
        return None, f"{script} line {hit[0]}: remat_policy={policy}, which the vocabulary cannot say"
    value, what = REMAT[policy]
    return {"name": r["name"], "column": "recompute", "value": value, "repository": r["repository"],
            "commit": commit, "path": script, "line": hit[0],
            "why": f"remat_policy={policy}: {what} (maxtext_fork/MaxText/layers/models.py line {at[0] + 1})"}, ""


def decide(mirror: Path, r: dict, tree: set[str]) -> tuple[dict | None, str]:
    commit, repo = r["commit"], r["repository"]
    if "/maxtext/" in (r["notes"] or ""):
        return maxtext(mirror, r, tree)
    folder, config = implementation(r["notes"] or "", commit, tree)
    if folder is None:
        return None, "no implementation folder: the notes name no config_*.sh found at the commit"
    files = sorted(f for f in tree if f.startswith(folder + "/") and not VENDORED.search(f[len(folder):]))
    sets, assigned = [], set()
    for f in (f for f in files if f.endswith(".sh")):
        for i, line in enumerate(git(mirror, "show", f"{commit}:{f}").splitlines(), start=1):
            if line.lstrip().startswith("#"):
                continue
            assigned.update(re.findall(r"\b([A-Z_][A-Z0-9_]*)=", line))
            sets += [(f, i, m.group(1), m.group(2)) for m in ASSIGN.finditer(line)]
    own = chain(mirror, commit, config, tree, assigned) if config else []
    lost = [p for p in own if p not in tree]
    mine = [s for s in sets if s[0] in own]
    if sets and not config:
        return None, f"the row names no config of its own and {sets[0][0]} line {sets[0][1]} sets {sets[0][2]}"
    if mine:
        said = "; ".join(f"{f.rsplit('/', 1)[-1]} line {i}: {k}={v}" for f, i, k, v in mine)
        return None, f"the run's config chain sets it: {said}"
    base = {"name": r["name"], "column": "recompute", "value": "none", "repository": repo, "commit": commit}
    unset = (f"set by none of {', '.join(p.rsplit('/', 1)[-1] for p in own)}" if own else
             "set by no script of the implementation")
    entry = next((f"{folder}/{e}" for e in ENTRIES if f"{folder}/{e}" in tree), None)
    code = git(mirror, "show", f"{commit}:{entry}") if entry else ""
    cls = CONFIG_CLASS.get(r["model"])
    found = line_of(code, re.compile(rf"=\s*(llm\.)?({cls})\(")) if code and cls else None
    if found and not re.search("recompute|activations_checkpoint", code):
        if lost and "offload" in code:
            return None, f"the config chain names {lost[0]}, not in the submission, and {entry} reads offloading"
        return base | {"path": entry, "line": found[0],
                       "why": f"{entry.rsplit('/', 1)[-1]} builds NeMo's {found[1].group(2)} with no recompute "
                              "setting and names neither recompute nor activations_checkpoint, so Megatron-Core's "
                              "TransformerConfig keeps recompute_granularity None: no activation recomputation"}, ""
    if lost:
        return None, f"the config chain names {lost[0]}, not in the submission"
    for yaml in (f for f in files if f.endswith(".yaml") and "/conf/" in f"/{f[len(folder):]}"):
        hit = line_of(git(mirror, "show", f"{commit}:{yaml}"), YAML_KEY)
        if hit is None:
            continue
        key, var = hit[1].group(1), hit[1].group(2)
        if key == "recompute_granularity" and f"recompute_granularity=cfg.model.recompute_granularity" not in code:
            return None, f"{yaml} line {hit[0]} reads {var}, but the entry script does not pass it on"
        return base | {"path": yaml, "line": hit[0],
                       "why": f"{key} defaults to null; {var} {unset}: no activation recomputation"}, ""
    return None, "no recompute setting found in the implementation's conf/*.yaml or entry script"


LOGGED = (re.compile(r"\b(recompute_granularity=)'?(\w+)'?"),  # Megatron-Core's TransformerConfig as built
          re.compile(r"\b(activations_checkpoint_granularity: )'?(\w+)'?"))  # the NeMo yaml as read


def logged(mirror: Path, r: dict, cell: dict) -> tuple[dict | None, str]:
    """The cell checked against the run's own log (the row's source_url, when it is a result file): NeMo prints its
    model config, with the granularity; one that disagrees leaves the row null, one that agrees is cited too."""
    path = r["source_url"].split(f"{r['commit']}/", 1)[-1]
    text = git(mirror, "show", f"{r['commit']}:{path}") if path.endswith(".txt") else ""
    hit = next((h for h in (line_of(text, p) for p in LOGGED) if h), None)
    if hit is None:
        return cell, ""
    said = {"None": "none", "null": "none", "selective": "selective", "full": "full"}.get(hit[1].group(2))
    if said != cell["value"]:
        return None, f"{path} line {hit[0]} logs {hit[1].group(0)}, against {cell['value']} from {cell['path']}"
    return cell | {"why": f"{cell['why']}; the run's log prints {hit[1].group(0).strip()} ({path.rsplit('/', 1)[-1]} "
                          f"line {hit[0]})"}, ""


UNREAD = ("no implementation folder", "no recompute setting found", "the config chain names")


def log_only(mirror: Path, r: dict, why: str) -> tuple[dict | None, str]:
    """A row whose implementation cannot be read (``UNREAD``): "none" only where the run's own log prints the
    granularity as null / None and no CPU offloading, cited to that log line; otherwise left null."""
    path = r["source_url"].split(f"{r['commit']}/", 1)[-1]
    text = git(mirror, "show", f"{r['commit']}:{path}") if path.endswith(".txt") else ""
    hit = next((h for h in (line_of(text, p) for p in LOGGED) if h), None)
    if hit is None or hit[1].group(2) not in ("None", "null"):
        return None, why
    if re.search(r"cpu_offloading(=|: )(True|true)", text):
        return None, f"{why}; its log offloads activations"
    return {"name": r["name"], "column": "recompute", "value": "none", "repository": r["repository"],
            "commit": r["commit"], "path": path, "line": hit[0],
            "why": f"the run's own log prints {hit[1].group(0).strip()} (the implementation cannot be read: {why})"
                   ": no activation recomputation"}, ""


def main(mirrors: Path, catalog: Path) -> None:
    cells, left = [], []
    trees: dict[tuple[str, str], set[str]] = {}
    for r in rows(catalog).iter_rows(named=True):
        mirror = mirrors / r["repository"].replace("/", "+") / "repo"
        key = (r["repository"], r["commit"])
        if key not in trees:
            trees[key] = set(git(mirror, "ls-tree", "-r", "--name-only", r["commit"]).splitlines())
        cell, why = decide(mirror, r, trees[key])
        if cell:
            cell, why = logged(mirror, r, cell)
        elif why.startswith(UNREAD):
            cell, why = log_only(mirror, r, why)
        if cell:
            cells.append(cell)
        else:
            left.append({"name": r["name"], "why": why})
    with open(HERE / "cells.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(sorted(cells, key=lambda c: c["name"]))
    with open(HERE / "unresolved.csv", "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["name", "why"], lineterminator="\n")
        w.writeheader()
        w.writerows(left)
    print(len(cells), "cells,", len(left), "rows left null")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path("/work/.mirror"),
         Path(sys.argv[2]) if len(sys.argv) > 2 else REGISTRY / "measurements.parquet")
