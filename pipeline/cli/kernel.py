"""``mlsys evaluate --study kernel``: one GEMM, attention call or collective alone, a headline
(time, achieved FLOP/s or bus bandwidth, bound, efficiency basis) then every column with its unit."""

from __future__ import annotations

from types import SimpleNamespace

from pipeline.errors import InputError, Problem

FLAGS = {"true": True, "1": True, "yes": True, "false": False, "0": False, "no": False}


def parse_shape(items: list[str] | None) -> dict:
    """``--shape m=8192,n=8192`` (repeatable): field -> number (``causal`` -> bool); every bad
    item reported at once."""
    out, problems = {}, []
    for item in (p.strip() for chunk in items or [] for p in chunk.split(",") if p.strip()):
        key, sep, value = (s.strip() for s in item.partition("="))
        if not sep or not key:
            problems.append(Problem(None, "--shape", f"got {item!r}, expected field=value"))
        elif key == "causal":
            if value.lower() not in FLAGS:
                problems.append(Problem(None, "--shape", f"causal={value!r}: expected true or false"))
            else:
                out[key] = FLAGS[value.lower()]
        else:
            try:
                out[key] = float(value)
            except ValueError:
                unit = " of bytes, without a unit (1e9, not 1GB)" if key.endswith("_bytes") else ""
                problems.append(Problem(None, "--shape", f"{key}={value!r}: expected a number{unit}"))
    if problems:
        raise InputError("evaluate", problems)
    return out


def headline(row: dict) -> str:
    """One line: what was predicted and the figures that matter for it."""
    from pipeline.report.format import quantity

    parts = [f"{row['op']} on {row['hardware']}" + (f" ({row['cluster']})" if row["cluster"] else ""),
             f"time {quantity(row['time_s'], 's')}"]
    if row["busbw_bytes_per_s"] is not None:
        parts.append(f"bus bandwidth {quantity(row['busbw_bytes_per_s'], 'B/s')}")
    else:
        parts.append(f"{quantity(row['achieved_flop_per_s'], 'FLOP/s')} "
                     f"({quantity(100 * row['fraction_of_peak'], '%')} of {row['dtype']} peak)")
    parts += [f"bound: {row['bound']}", f"efficiency basis: {row['efficiency_basis']}"]
    return " | ".join(parts)


def show_kernel(o: SimpleNamespace) -> None:
    import pipeline
    from pipeline.cli.output import console, echo_json, print_pairs
    from pipeline.studies.operator import UNITS

    if o.op is None:
        raise InputError("evaluate", [Problem(None, "--op", "required by the kernel study: gemm, attention, "
                                                            "all_reduce, all_gather, reduce_scatter or all_to_all")])
    if o.hardware is None and o.cluster is None:
        raise InputError("evaluate", [Problem(None, "--hardware", "the kernel study needs --hardware or --cluster")])
    frame = pipeline.evaluate_kernel(o.op, hardware=o.hardware, cluster=o.cluster, dtype=o.compute_dtype or "bf16",
                                     framework=o.framework, workload=o.workload, registry=o.registry,
                                     **parse_shape(o.shape))
    row = frame.row(0, named=True)
    if o.as_json:
        echo_json(row | {"units": {c: UNITS.get(c) for c in frame.columns}})
        return
    console().print(headline(row), markup=False)
    print_pairs(f"kernel study: {o.op}", [(c, UNITS.get(c) or "", [row[c]]) for c in frame.columns], ["value"])
