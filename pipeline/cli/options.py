"""Options several commands share."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

RegistryOpt = Annotated[Path | None, typer.Option(
    "--registry", help="User catalog directory (default: $MLSYS_REGISTRY, else the bundled catalogs).")]
OutOpt = Annotated[Path | None, typer.Option("--out", help="Output directory (default: the spec's, outputs/).")]
SetOpt = Annotated[list[str] | None, typer.Option(
    "--set", help='What-if: table.column="value unit", e.g. hardware.memory_bandwidth_bytes_per_s="4 TB/s" '
                  "(repeatable; every row of the column), as in [overrides] of a spec.")]
MeasuredOpt = Annotated[Path | None, typer.Option(
    "--measured", help="CSV of measurements (the measurements catalog's columns); default: the catalog.")]
