"""``mlsys nightly`` (issue 15 item 5): the whole registry through every study, one command for a
scheduler (cron, systemd timers, Airflow).

Under a lock (``<out>/.nightly.lock``; an advisory ``flock``, released if the process dies, so two
nightlies never overlap and a killed one never blocks the next), for each study spec of the nightly
configuration (``pipeline/nightly.toml``; ``--config`` for your own) and each framework profile:

1. sweep it into a new run (atomic, as ``mlsys sweep``), reusing the partitions of the previous run
   of the same study and framework whose inputs did not change (``pipeline.runs.incremental``;
   ``reuse=False`` / ``--no-reuse`` computes everything), and publish it as ``<out>/current``;
2. diff it against the previous run of the same study and framework (``runs diff``);
3. write its charts (``report run``);

then list the catalog rows whose ``last_verified`` or ``as_of`` is older than ``stale_after``
(``catalog stale``), prune each study to the newest ``keep`` runs (``runs prune``; the current ones
stay), and write a summary (``<out>/nightly/<stamp>.md`` and ``.json``). Exit codes: 0 all well, 3
finished with warnings (stale catalog rows, rows outside a physical range), 4 another nightly holds the
lock, 1 a step failed (the runs written before it stay).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import fcntl
import json
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import InputError, Problem

CONFIG = Path(__file__).with_name("nightly.toml")
LOCK = ".nightly.lock"
OK, WARNINGS, LOCKED = 0, 3, 4


@dataclass
class Nightly:
    """What one nightly did: the runs it wrote, their diffs and reports, the stale rows, the pruned runs."""

    out: Path
    started_utc: str
    runs: list[dict] = field(default_factory=list)
    stale_rows: int = 0
    stale_sample: list[str] = field(default_factory=list)
    pruned: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    summary: Path | None = None

    @property
    def exit_code(self) -> int:
        return WARNINGS if self.warnings else OK


def read_config(path: str | Path | None = None) -> dict:
    """The nightly configuration: ``studies`` (packaged spec names or TOML paths), ``frameworks``
    (efficiency profiles; "spec" keeps each spec's own), ``keep`` (runs kept per study) and
    ``stale_after`` (a duration such as 180d)."""
    path = Path(path or CONFIG)
    source = f"nightly config {path}"
    try:
        raw = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise InputError(source, [Problem(None, None, "file not found")]) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(source, [Problem(None, None, f"not valid TOML: {exc}")]) from None
    config = {"studies": raw.get("studies"), "frameworks": raw.get("frameworks", ["spec"]),
              "keep": raw.get("keep", 7), "stale_after": raw.get("stale_after", "180d")}
    problems = [Problem(None, k, f"got {raw.get(k)!r}, expected a non-empty list of names")
                for k in ("studies", "frameworks") if not isinstance(config[k], list) or not config[k]
                or not all(isinstance(v, str) and v for v in config[k])]
    if isinstance(config["keep"], bool) or not isinstance(config["keep"], int) or config["keep"] < 1:
        problems.append(Problem(None, "keep", f"got {config['keep']!r}, expected an integer >= 1"))
    problems += [Problem(None, k, "unknown key; expected studies, frameworks, keep, stale_after")
                 for k in raw if k not in config]
    if problems:
        raise InputError(source, problems)
    base = path.parent
    config["studies"] = [str(base / s) if s.endswith(".toml") and not Path(s).is_absolute() else s
                         for s in config["studies"]]
    return config


def _specs(config: dict) -> list:
    """Every (spec, framework) pair the nightly sweeps, each spec loaded and checked first: a bad
    one stops the nightly before anything is written."""
    from pipeline.spec import load_spec

    out = []
    for name in config["studies"]:
        spec = load_spec(name)
        for framework in config["frameworks"]:
            if framework != "spec":
                spec_fw = dataclasses.replace(spec, efficiency=dataclasses.replace(spec.efficiency,
                                                                                   framework=framework))
            else:
                spec_fw = spec
            out.append((name, framework, spec_fw))
    return out


def _previous(out: Path, study: str, framework: str) -> Path | None:
    """The newest complete run of ``study`` with ``framework`` under ``out``."""
    from pipeline.runs import database

    older = []
    for run in database.runs(out):
        if database.run_study(run) != study:
            continue
        manifest = json.loads((run / "manifest.json").read_text())
        if (manifest.get("spec", {}).get("efficiency", {}) or {}).get("framework", "default") == framework:
            older.append(run)
    return older[-1] if older else None


def run(out: str | Path = "outputs", config: str | Path | None = None, registry: str | Path | None = None,
        say: Callable[[str], None] = print, reports: bool = True, reuse: bool = True,
        executor: Callable[..., dict] | None = None) -> Nightly:
    """One nightly into ``out`` (see the module docstring); ``say`` gets one line per step;
    ``executor``: what computes each run's partitions (``runs.run``; None: this process)."""
    from pipeline import api
    from pipeline.catalogs.stale import registry_stale
    from pipeline.runs import history, prepare
    from pipeline.runs import run as run_sweep
    from pipeline.runs.diff import diff_runs

    settings = read_config(config)
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError("nightly", [Problem(None, "--out", f"{out} is a file; expected a folder")])
    out.mkdir(parents=True, exist_ok=True)
    specs = _specs(settings)
    with open(out / LOCK, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise NightlyLocked(out) from None
        night = Nightly(out, dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
        for name, framework, spec in specs:
            before = _previous(out, spec.study, spec.efficiency.framework)  # reused from, and diffed against
            run_dir = run_sweep(prepare(spec, registry), out, publish=True, reuse_from=before if reuse else None,
                                executor=executor)
            manifest = json.loads((run_dir / "manifest.json").read_text())
            study = manifest["study"]
            entry = {"spec": name, "framework": spec.efficiency.framework, "study": study, "run": run_dir.name,
                     "rows": manifest["rows"][study], "wall_time_s": manifest["wall_time_s"],
                     "reused": manifest["reused"]}
            for column, n in manifest.get("out_of_range", {}).items():
                night.warnings.append(f"{run_dir.name}: {n:,} rows with {column} outside its physical range")
            if before is not None:
                d = diff_runs(before, run_dir, out)
                entry["diff"] = {"against": before.name, "added": d.added, "removed": d.removed,
                                 "changed": d.changed, "catalogs_changed": d.catalogs_changed,
                                 "columns": d.columns, "changed_sample": d.samples["changed"],
                                 "catalog_rows": [f"{t.table} {k}" for t in d.catalogs for k in sorted(
                                     {c[0] for c in t.changed} | set(t.added) | set(t.removed))]}
            if reports:
                entry["report"] = str(api.report_run(run_dir, out))
            night.runs.append(entry)
            say(f"{study} ({name}, framework {entry['framework']}): {entry['rows']:,} rows -> {run_dir.name} "
                f"in {entry['wall_time_s']:.1f} s ({len(manifest['reused']['recomputed'])} partitions computed, "
                f"{len(manifest['reused']['partitions'])} reused)"
                + (f"; vs {entry['diff']['against']}: {entry['diff']['added']} added, {entry['diff']['removed']} "
                   f"removed, {entry['diff']['changed']} changed" if "diff" in entry else "; first run"))
        stale = registry_stale(registry, settings["stale_after"])
        night.stale_rows = stale.height
        night.stale_sample = [f"{r['table']} {r['key']} ({r['column']} {r['date']})" for r in stale.head(10).to_dicts()]
        if stale.height:
            night.warnings.append(f"{stale.height} catalog rows older than {settings['stale_after']} "
                                  "(mlsys catalog stale)")
        night.pruned = [p.name for p in history.prune(out, settings["keep"])]
        night.summary = _write_summary(night)
        return night


class NightlyLocked(Exception):
    """Another nightly holds the lock of this output folder."""

    def __init__(self, out: Path) -> None:
        super().__init__(f"another nightly is running in {out} (lock {out / LOCK}); nothing was done")


def _write_summary(night: Nightly) -> Path:
    """``<out>/nightly/<stamp>.json`` and ``.md``, each written whole (temporary name, then rename)."""
    from pipeline.catalogs.io import replace_atomically

    folder = night.out / "nightly"
    folder.mkdir(exist_ok=True)
    stamp = night.started_utc.replace(":", "").replace("-", "").replace("+0000", "Z")
    data = {"started_utc": night.started_utc, "exit_code": night.exit_code, "runs": night.runs,
            "stale_rows": night.stale_rows, "stale_sample": night.stale_sample, "pruned": night.pruned,
            "warnings": night.warnings}
    lines = [f"# Nightly {night.started_utc}", "",
             "| study | spec | framework | run | rows | partitions computed / reused | vs previous |",
             "|---|---|---|---|---|---|---|"]
    for r in night.runs:
        d = r.get("diff")
        change = (f"{d['added']} added, {d['removed']} removed, {d['changed']} changed"
                  + (f"; catalogs: {', '.join(d['catalogs_changed'])}" if d["catalogs_changed"] else "")
                  + (f" (rows: {', '.join(d['catalog_rows'][:10])})" if d.get("catalog_rows") else "")
                  if d else "first run")
        parts = f"{len(r['reused']['recomputed'])} / {len(r['reused']['partitions'])}"
        lines.append(f"| {r['study']} | {r['spec']} | {r['framework']} | {r['run']} | {r['rows']:,} | {parts} "
                     f"| {change} |")
    lines += ["", f"Stale catalog rows: {night.stale_rows}", *[f"- {s}" for s in night.stale_sample],
              "", f"Pruned: {', '.join(night.pruned) or 'none'}", "",
              "Warnings:" if night.warnings else "No warnings.", *[f"- {w}" for w in night.warnings]]
    json_path = folder / f"{stamp}.json"
    replace_atomically(lambda p: Path(p).write_text(json.dumps(data, indent=2) + "\n"), json_path)
    replace_atomically(lambda p: Path(p).write_text("\n".join(lines) + "\n"), folder / f"{stamp}.md")
    return folder / f"{stamp}.md"
