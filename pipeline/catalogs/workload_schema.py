"""Pandera schema of the workloads catalog (registry_data/workloads.parquet, issue 12 item 5): named
datasets, traces and fixed ISL/OSL settings with their token length distributions."""

from __future__ import annotations

from pipeline.catalogs.fields import Provenance, count, finite, quantity, text


class WorkloadSchema(Provenance):
    """One row per named workload: a benchmark dataset, a production trace or a fixed ISL/OSL
    setting, with the prompt and generated token lengths of its requests. A null figure was not
    published (never estimated); a sweep naming a dataset whose mean is null is refused."""

    name: str = text("workload name (the serving study's axes.dataset)", unique=True)
    kind: str = text("what the lengths describe: a benchmark dataset, a production trace, or a fixed "
                     "synthetic ISL/OSL", isin=["benchmark", "trace", "fixed"])
    subset: str = text("split, file or filtering the figures are for")
    aliases: str = text("other names measurement rows give this workload in their dataset column, separated by "
                        "' | ' (an explicit mapping: pipeline.validation.serving_rows; no fuzzy matching)",
                        nullable=True)
    samples: int = count("requests in the dataset or trace", nullable=True)
    tokenizer: str = text("tokenizer the lengths are counted in (lengths do not carry across tokenizers)",
                          nullable=True)
    input_tokens_mean: float = quantity("tok", "mean prompt length", nullable=True)
    input_tokens_std: float = quantity("tok", "standard deviation of the prompt length (sample, ddof 1)",
                                       nullable=True, ge=0)
    input_tokens_p50: float = quantity("tok", "median prompt length", nullable=True)
    input_tokens_p90: float = quantity("tok", "90th-percentile prompt length", nullable=True)
    input_tokens_p99: float = quantity("tok", "99th-percentile prompt length", nullable=True)
    input_tokens_max: float = quantity("tok", "longest prompt (or the dataset's bound, see notes)", nullable=True)
    output_tokens_mean: float = quantity("tok", "mean generated length", nullable=True)
    output_tokens_std: float = quantity("tok", "standard deviation of the generated length (sample, ddof 1)",
                                        nullable=True, ge=0)
    output_tokens_p50: float = quantity("tok", "median generated length", nullable=True)
    output_tokens_p90: float = quantity("tok", "90th-percentile generated length", nullable=True)
    output_tokens_p99: float = quantity("tok", "99th-percentile generated length", nullable=True)
    output_tokens_max: float = quantity("tok", "longest generation", nullable=True)
    input_output_correlation: float = quantity(
        "", "Pearson correlation of prompt and generated lengths over the requests", nullable=True, gt=None,
        ge=-1, le=1)
    output_cap_tokens: int = count("max_new_tokens / max_tokens the benchmark sets", nullable=True, unit="tok")
    model: str = text("model the lengths were tokenized or generated with", nullable=True)
    trust: str = text("trust tier of the source (A: primary data or log, B: framework or paper, C: secondary)",
                      isin=["A", "B", "C"])
    source_location: str = text("file, table, line or field in the source")
    _finite = finite(r"^(input|output)_tokens_\w+$|^input_output_correlation$")

    class Config:
        name = "workloads"
