"""Typed, self-describing output rows (issue 15 item 2): integer layout axes written as integers,
a stable ``config_id`` and the ``run_id`` on every row, units in the Parquet field metadata. A narrow
run derives ``config_id`` in its views from the dimension tables' sums of terms (``id_terms``,
``config_id_sql``; ``pipeline.runs.narrow``) instead of storing it.

``config_id`` is a 64-bit integer (Int64) computed from the configuration's axis columns
(``KEY_AXES``) with fixed-width integer arithmetic only, so it is the same on every machine,
polars version and run (no process-seeded hash):

    code(v)    an Int64/Boolean/integral value: its two's-complement 64 bits; a float axis:
               round(v * 1e9) (nanounits); a text value: the first 8 bytes (big-endian) of
               BLAKE2b-64 of its UTF-8 bytes; NULL: the constant NULL_CODE
    term(c, v) 0 when v equals the column's DEFAULTS entry (None: NULL is the default), else
               mix(code(v) XOR seed(c)), seed(c) = BLAKE2b-64 of the column's name
    config_id  mix(sum of the terms mod 2**64), read as a signed Int64

with ``mix`` the splitmix64 finalizer (Steele, Lea, Flood, "Fast splittable pseudorandom number
generators", OOPSLA 2014; constants of java.util.SplittableRandom). A NULL is a value of its own
(NULL_CODE), never equal to 0 or to a missing column. Because a column at its default adds 0,
**a new axis added with the default that reproduces the rows written before it keeps every old
id**: add it to ``KEY_AXES`` with that value in ``DEFAULTS``. The sum is over columns by name, so
the order of the columns does not matter either.
"""

from __future__ import annotations

import functools
import hashlib
import operator
from collections.abc import Iterable

import polars as pl
import pyarrow as pa

from pipeline.spec.axes import RECOMPUTE, WORKLOADS
from pipeline.studies.node import STEPS
from pipeline.walls.bounds import BOUNDS
from pipeline.walls.sensitivity import SM_CLOCK
from pipeline.walls.serving_sensitivity import BINDING

U64 = 1 << 64
MASK = U64 - 1
NULL_CODE = 0x6E756C6C5F6D6C7A  # "null_mlz": the code of a NULL
FLOAT_SCALE = 1e9  # a float axis is keyed at nanounit resolution

# The integral layout axes of each study, computed as Float64 by the formulas and written as Int64.
INTEGRAL = {
    "node": (),
    "serving": ("tp", "pp", "replicas", "ep"),
    "training": ("gpus", "dp", "tp", "pp", "cp", "ep", "microbatch", "global_batch", "num_microbatches",
                 "virtual_stages", "zero_stage", "lora_rank"),
}
# The columns that identify a configuration (the natural key of a row).
KEY_AXES = {
    "node": ("hardware", "model", "workload", "step", "compute_dtype", "batch", "seq_len", "region"),
    "serving": ("hardware", "model", "teacher", "compute_dtype", "weight_dtype", "kv_dtype", "tp", "pp", "batch",
                "prompt_len", "output_len", "dataset", "reasoning_tokens", "request_rate", "replicas",
                "prune_ratio", "region", "spec_draft_tokens", "spec_acceptance", "draft_model", "prefix_hit_rate",
                "lora_rank", "lora_adapters", "ep", "cluster_override", "prefill_workers", "decode_workers",
                "redundant_experts"),
    "training": ("cluster", "model", "compute_dtype", "seq_len", "gpus", "dp", "tp", "pp", "cp", "ep",
                 "microbatch", "global_batch", "virtual_stages", "zero_stage", "recompute", "sequence_parallel",
                 "region", "lora_rank"),
}
# A key column at this value adds nothing to config_id (missing here: every value, NULL too, adds).
DEFAULTS = {"region": None, "dataset": None, "request_rate": None, "reasoning_tokens": 0, "prune_ratio": 0.0,
            "replicas": 1, "cp": 1, "ep": 1, "virtual_stages": 1,
            "spec_draft_tokens": 0, "spec_acceptance": 0.0, "draft_model": None,  # no speculation: ids as before
            "prefix_hit_rate": 0.0, "lora_rank": 0, "lora_adapters": 1,  # no prefix caching, no LoRA: ids as before
            "cluster_override": None,  # serving's ep (1) and cluster (the reference one): ids as before
            "prefill_workers": 0, "decode_workers": 0,  # aggregated serving: ids as before
            "redundant_experts": 0}  # no redundant experts: ids as before
# the key columns that are Float64 as written
FLOAT_AXES = ("request_rate", "prune_ratio", "spec_acceptance", "prefix_hit_rate")
# The column naming the accelerator of a row: the partition key under study=<study>/.
PARTITION_KEY = {"node": "hardware", "serving": "hardware", "training": "accelerator"}
ADDED = ("config_id", "run_id")  # written first on every row
# Catalog rows keyed by accelerator, per study: table -> the table's column naming the accelerator (an incremental
# rerun reuses a partition whose own rows of these did not change, ``pipeline.runs.incremental``).
KEYED = {"node": {"hardware": "name"}, "serving": {"hardware": "name"},
         "training": {"hardware": "name", "clusters": "accelerator"}}
# The text columns written as Enums of fixed categories (parts without a Categorical -> dictionary export: the
# serving bench's writer 1.08 -> 0.94 CPU s, CHANGELOG srvenum): a column holding a catalog's names -> that catalog
# (``pipeline.spec.names.AXES``), and the words the plans write. Not a study's ``KEYED`` catalog: its names may differ
# in the run a rerun's reused parts come from, and every part of a run must have the same dtype.
NAMED = {"model": "models", "teacher": "models", "draft_model": "models", "compute_dtype": "precisions",
         "weight_dtype": "precisions", "kv_dtype": "precisions", "region": "regions", "dataset": "workloads",
         "cluster": "clusters", "cluster_override": "clusters"}
WORDS = {"workload": WORKLOADS, "step": tuple(STEPS["step"].unique(maintain_order=True)), "recompute": RECOMPUTE,
         "bound": tuple(BOUNDS), "ttft_bound": tuple(BOUNDS), "binding_input": (*BINDING, SM_CLOCK)}


def blake64(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "big")


def mix_int(z: int) -> int:
    """splitmix64's finalizer on a Python int (the reference the expression below follows)."""
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
    return z ^ (z >> 31)


def _u(value: int) -> pl.Expr:
    return pl.lit(value & MASK, dtype=pl.UInt64)


def _mix(z: pl.Expr) -> pl.Expr:
    """splitmix64's finalizer on one expression (evaluates ``z`` several times: give it a column)."""
    z = (z.xor(z // _u(1 << 30))) * _u(0xBF58476D1CE4E5B9)
    z = (z.xor(z // _u(1 << 27))) * _u(0x94D049BB133111EB)
    return z.xor(z // _u(1 << 31))


def _mix_stages(names: list[str]) -> list[list[pl.Expr]]:
    """splitmix64's finalizer on the columns ``names`` in place, as stages of ``with_columns`` (each
    stage reads columns the previous one wrote, so no expression is evaluated twice)."""
    stages = []
    for shift, factor in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB)):
        stages.append([(pl.col(n).xor(pl.col(n) // _u(1 << shift)) * _u(factor)).alias(n) for n in names])
    stages.append([pl.col(n).xor(pl.col(n) // _u(1 << 31)).alias(n) for n in names])
    return stages


def _code(name: str, dtype: pl.DataType, texts: dict[str, int]) -> pl.Expr:
    col = pl.col(name)
    if isinstance(dtype, pl.Categorical):  # by the physical code of each text in this dtype's categories
        physical = pl.Series(list(texts), dtype=dtype).to_physical().to_list()
        return col.to_physical().replace_strict(dict(zip(physical, texts.values(), strict=True)),
                                                return_dtype=pl.UInt64)
    if dtype == pl.String or isinstance(dtype, pl.Enum):
        return col.cast(pl.String).replace_strict(texts, return_dtype=pl.UInt64)
    if dtype == pl.Boolean:
        return col.cast(pl.UInt64)
    if dtype.is_float():
        return (col * FLOAT_SCALE).round(0).cast(pl.Int64).reinterpret(signed=False)
    return col.cast(pl.Int64).reinterpret(signed=False)


def _equals_default(name: str) -> pl.Expr | None:
    if name not in DEFAULTS:
        return None
    default = DEFAULTS[name]
    return pl.col(name).is_null() if default is None else (pl.col(name) == default).fill_null(False)


def _term_int(name: str, value) -> int:
    """term(name, value) of the module docstring, in plain Python (0 at the column's default)."""
    if name in DEFAULTS and value == DEFAULTS[name] and (value is None) == (DEFAULTS[name] is None):
        return 0
    if value is None:
        code = NULL_CODE
    elif isinstance(value, str):
        code = blake64(value)
    elif name in FLOAT_AXES:
        code = round(value * FLOAT_SCALE) & MASK
    else:
        code = int(value) & MASK
    return mix_int(code ^ blake64(name))


def _looked_up(name: str, dtype: pl.DataType, texts: dict[str, int]) -> pl.Expr | None:
    """term(name, v) of a text or Boolean column by lookup, its few terms computed once in Python
    (a text column's values are all in ``texts``), instead of mixing on every row; None: a number."""
    col, null = pl.col(name), _u(_term_int(name, None))
    if dtype == pl.Boolean:
        return pl.when(col).then(_u(_term_int(name, True))).otherwise(_u(_term_int(name, False))).fill_null(null)
    if not (dtype == pl.String or isinstance(dtype, pl.Categorical | pl.Enum)):
        return None
    terms = {v: _term_int(name, v) for v in texts}
    if isinstance(dtype, pl.Enum):  # a table over its categories, by position
        table = [terms[t] if t in terms else _term_int(name, t) for t in dtype.categories.to_list()]
        looked = pl.lit(pl.Series(table, dtype=pl.UInt64)).gather(col.to_physical())
    elif isinstance(dtype, pl.Categorical):  # a table over the physical codes up to the largest of ``texts``
        top = max(pl.Series(list(terms), dtype=dtype).to_physical().to_list(), default=-1) + 1
        table = [terms[t] if t in terms else _term_int(name, t) for t in dtype.categories.to_series()[:top]]
        looked = pl.lit(pl.Series(table, dtype=pl.UInt64)).gather(col.to_physical())  # beyond: out of bounds
    else:
        looked = col.cast(pl.String).replace_strict(terms, return_dtype=pl.UInt64)
    return looked.fill_null(null)


def id_terms(frame: pl.LazyFrame | pl.DataFrame, names: Iterable[str], texts: dict[str, int],
             lookup: bool = True, alias: str = "config_id") -> pl.LazyFrame | pl.DataFrame:
    """``frame`` with ``alias``: the sum (UInt64, mod 2**64) of term(c, v) over the key columns
    ``names`` (see the module docstring). Text and Boolean columns' terms are looked up
    (``_looked_up``: ~3x less CPU than mixing them per row); numbers are coded and mixed per row.
    ``lookup=False`` mixes every column per row (the same sum: the tests' second reference)."""
    schema = frame.collect_schema()
    names = list(names)
    looked = {n: e for n in names if lookup and (e := _looked_up(n, schema[n], texts)) is not None}
    mixed = [n for n in names if n not in looked]
    tmp = [f"__cid_{i}" for i in range(len(mixed))]
    frame = frame.with_columns(
        (_code(n, schema[n], texts).fill_null(_u(NULL_CODE)).xor(_u(blake64(n)))).alias(t) for n, t in zip(
            mixed, tmp, strict=True))
    for stage in _mix_stages(tmp):
        frame = frame.with_columns(stage)
    terms = [pl.col(t) if _equals_default(n) is None else pl.when(_equals_default(n)).then(_u(0)).otherwise(pl.col(t))
             for n, t in zip(mixed, tmp, strict=True)] + list(looked.values())
    return frame.with_columns(functools.reduce(operator.add, terms, _u(0)).alias(alias)).drop(tmp)


def id_from_terms(frame, alias: str = "config_id"):
    """``frame`` whose UInt64 column ``alias`` holds a sum of terms, with it replaced by the
    config_id it makes: ``mix`` of the sum, read as a signed Int64."""
    for stage in _mix_stages([alias]):
        frame = frame.with_columns(stage)
    return frame.with_columns(pl.col(alias).reinterpret(signed=True))


def with_config_id(frame: pl.LazyFrame | pl.DataFrame, study: str, texts: dict[str, int], lookup: bool = True):
    """``frame`` with a ``config_id`` column (see the module docstring); ``texts``: the code of
    every text value the key columns can hold (``text_codes``); ``lookup``: see ``id_terms``."""
    return id_from_terms(id_terms(frame, KEY_AXES[study], texts, lookup))


def config_id_sql(terms: str) -> str:
    """DuckDB SQL of the config_id whose sum of terms is the UInt64 SQL expression ``terms`` (the
    sum of the two dimension tables' ``config_id_terms``, ``pipeline.runs.narrow``): the splitmix64
    finalizer of ``_mix_stages`` in 128-bit unsigned arithmetic, each product taken mod 2**64 (the
    wrap-around of the UInt64 expression), read as a signed BIGINT. The same ids: tests compare it
    with ``config_id_int``; runs on DuckDB 1.1 (UHUGEINT since 0.10)."""
    mask = f"{MASK}::UHUGEINT"
    z = f"(({terms})::UHUGEINT & {mask})"
    for shift, factor in ((30, 0xBF58476D1CE4E5B9), (27, 0x94D049BB133111EB)):
        z = f"((xor({z}, {z} >> {shift}) * {factor}::UHUGEINT) & {mask})"
    z = f"xor({z}, {z} >> 31)"
    return f"(CASE WHEN {z} >= {1 << 63} THEN {z}::HUGEINT - {U64}::HUGEINT ELSE {z}::HUGEINT END)::BIGINT"


def config_id_int(row: dict) -> int:
    """config_id of one row (a dict of key column -> Python value), in plain Python: the reference
    the vectorized expression is tested against."""
    z = mix_int(sum(_term_int(name, value) for name, value in row.items()) & MASK)
    return z - U64 if z >= 1 << 63 else z


def text_codes(frames: Iterable[pl.DataFrame], extra: Iterable[str] = ()) -> dict[str, int]:
    """The code of every text value in the text columns of ``frames`` (the sweep's two sides: the
    key columns' values all come from them) and of ``extra`` (the region axis): a few hundred names."""
    values = set(extra)
    for frame in frames:
        for name, dtype in frame.schema.items():
            if dtype in (pl.String, pl.Categorical) or isinstance(dtype, pl.Categorical | pl.Enum):
                values.update(v for v in frame[name].cast(pl.String).unique().to_list() if v is not None)
    return {v: blake64(v) for v in values}


def text_enums(catalogs, study: str) -> dict[str, pl.Enum]:
    """The Enum each text column of ``NAMED`` and ``WORDS`` is written as in ``study``'s parts: the catalog's names
    (``catalogs``: a ``Catalogs``), or the words, in their order; the same in every task and part of a run."""
    named = {c: pl.Enum(catalogs.table(t)["name"].unique(maintain_order=True).drop_nulls())
             for c, t in NAMED.items() if t not in KEYED[study]}
    return named | {c: pl.Enum(list(words)) for c, words in WORDS.items()}


def as_enums(side: pl.DataFrame, enums: dict[str, pl.Enum], what: str) -> pl.DataFrame:
    """``side`` (a sweep side, a few thousand rows) with its Categorical columns of ``enums`` as those Enums, so the
    plan gathers Enums into the rows (no per-row cast); a value outside its categories is an error naming the
    column, not a NULL."""
    cast = [c for c, d in side.schema.items() if c in enums and isinstance(d, pl.Categorical | pl.String)]
    for c in cast:
        outside = side.get_column(c).cast(pl.String).drop_nulls().unique(maintain_order=True)
        if (outside := outside.filter(~outside.is_in(enums[c].categories.implode()))).len():
            source = f"the {NAMED[c]} catalog's names" if c in NAMED else "its words"
            raise ValueError(f"{what}, column {c!r}: {outside.to_list()} not among its fixed categories ({source})")
    return side.with_columns(pl.col(c).cast(enums[c]) for c in cast)


def as_enum(name: str, dtype: pl.DataType, enum: pl.Enum) -> pl.Expr:
    """Column ``name`` of ``dtype`` as ``enum``: a Categorical (computed: bound, binding_input) by a table of its
    categories' positions in ``enum`` gathered by its physical codes (0.11-0.14 CPU s on 26 M values where ``cast``
    takes 0.26-0.30); a text outside ``enum`` fails the collect ("invalid category value", the column named in the
    expression)."""
    if not isinstance(dtype, pl.Categorical):
        return pl.col(name).cast(enum)
    words = enum.categories.to_list()
    pl.Series(words, dtype=pl.Categorical)  # each word has a code before the table is read (a plan's first cast of one
    where = {w: i for i, w in enumerate(words)}  # would give it one only when collected: beyond the table, an error)
    codes = pl.Series(words, dtype=enum).to_physical().dtype
    table = pl.Series([where.get(v, len(words)) for v in dtype.categories.to_series().to_list()], dtype=codes)
    return pl.lit(table).gather(pl.col(name).to_physical()).cat.to(enum).alias(name)


def as_categorical(name: str, enum: pl.Enum) -> pl.Expr:
    """Column ``name``, an ``enum``, as the Categorical the column dictionary declares (the same texts): its
    categories' Categorical codes gathered by its physical codes."""
    codes = pl.Series(enum.categories.to_list(), dtype=pl.Categorical).to_physical()
    return pl.lit(codes).gather(pl.col(name).to_physical()).cat.to(pl.Categorical).alias(name)


def typed(frame: pl.LazyFrame, study: str, rid: str, texts: dict[str, int], narrow=None,
          enums: dict[str, pl.Enum] | None = None, schema: pl.Schema | None = None) -> pl.LazyFrame:
    """``frame`` as written: integral axes cast to Int64, ``config_id`` and ``run_id`` first;
    ``narrow`` (a ``pipeline.runs.narrow.Layout``): the fact table's columns only, the Float64
    values it stores as Float32, and no ``config_id`` when the layout derives it from the dimension
    tables' sums of terms (``Layout.id_terms``); ``enums`` (``text_enums``): the text columns written as Enums
    (``run_id`` stays Categorical: a rerun's reused parts hold another run's id); ``schema``: ``frame``'s, where the
    caller has it (a sweep's chunks: their plan's, resolved once, not ~4 ms a chunk), else resolved here."""
    schema = frame.collect_schema() if schema is None else schema
    columns = list(schema)
    ints = [pl.col(c).round(0).cast(pl.Int64) for c in INTEGRAL[study] if c in columns]
    run = pl.lit(rid, dtype=pl.Categorical).alias("run_id")
    enums = {c: e for c, e in (enums or {}).items() if c in schema and schema[c] != e}
    if narrow is None:
        return with_config_id(frame.with_columns(*ints), study, texts).select(
            "config_id", run, *(as_enum(c, schema[c], enums[c]) if c in enums else c for c in columns))
    values = [pl.col(c).cast(pl.Float32) if c in narrow.float32 else as_enum(c, schema[c], enums[c]) if c in enums
              else pl.col(c) for c in narrow.fact]
    if narrow.id_terms:
        return frame.with_columns(*ints).select(run, *values)
    return with_config_id(frame.with_columns(*ints), study, texts).select("config_id", run, *values)


def integral(frame: pl.DataFrame, study: str) -> pl.DataFrame:
    """``frame``'s integral axes cast to Int64, as ``typed`` writes them."""
    return frame.with_columns(pl.col(c).round(0).cast(pl.Int64) for c in INTEGRAL[study] if c in frame.columns)


ADDED_DICTIONARY = {
    "config_id": ("Int64", "stable hash of the configuration's axis columns (NULL-safe; pipeline.runs.typed)"),
    "run_id": ("Categorical", "the run that computed the row: its id, the folder's name (a row reused by an "
                              "incremental rerun keeps the id of the run that computed it; a second run of one "
                              "spec started in the same second gets a folder with a -1 suffix)"),
}


def written_dtypes(study: str, dtypes: dict[str, str]) -> dict[str, str]:
    """The dtypes as written: ``dtypes`` (the schema's) with the integral axes as Int64."""
    return {c: ("Int64" if c in INTEGRAL[study] else d) for c, d in dtypes.items()}


def arrow_schema(frame: pl.LazyFrame, units: dict[str, str | None], descriptions: dict[str, str]) -> pa.Schema:
    """The Arrow schema of ``frame`` with each field's unit and description as field metadata
    (readers see them in the Parquet footer: ``pyarrow.parquet.read_schema(path).field(c).metadata``)."""
    fields = []
    for f in pl.DataFrame(schema=frame.collect_schema()).to_arrow().schema:
        meta = dict(f.metadata or {})
        if f.name in units or f.name in descriptions:
            meta |= {b"unit": (units.get(f.name) or "").encode(),
                     b"description": descriptions.get(f.name, "").encode()}
        fields.append(f.with_metadata(meta))
    return pa.schema(fields)


@functools.cache
def output_dictionary() -> pl.DataFrame:
    """The column dictionary of the outputs as written: ``config_id`` and ``run_id`` first in every
    study, the integral axes as Int64 (``pipeline.studies.columns.column_dictionary`` describes the
    studies' plans)."""
    from pipeline.studies.columns import STUDIES, column_dictionary

    plans = column_dictionary()
    added = pl.DataFrame([{"study": s, "column_name": c, "unit": None, "dtype": d,
                           "description": text, "source": "pipeline.runs.typed"}
                          for s in STUDIES for c, (d, text) in ADDED_DICTIONARY.items()], schema=plans.schema)
    order = {s: i for i, s in enumerate(STUDIES)}
    integral = pl.concat([pl.DataFrame({"study": [s] * len(c), "column_name": list(c)}, schema={
        "study": pl.String, "column_name": pl.String}) for s, c in INTEGRAL.items()])
    plans = plans.join(integral.with_columns(_int=pl.lit(True)), on=["study", "column_name"], how="left",
                       maintain_order="left").with_columns(
        dtype=pl.when(pl.col("_int")).then(pl.lit("Int64")).otherwise("dtype")).drop("_int")
    return pl.concat([added, plans]).sort(pl.col("study").replace_strict(order), maintain_order=True)


def column_comment(unit: str | None, description: str) -> str:
    """A column's comment in results.duckdb: its description and unit (``[s]``; a ratio ``[1]``)."""
    return description if unit is None else f"{description} [{unit or '1'}]"
