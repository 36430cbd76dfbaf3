"""The ``mlsys`` command line: thin commands (one module each) that call the Python API
(``pipeline.api``). Heavy modules (polars, pint, pandera, duckdb) load inside each command,
so ``mlsys --help`` answers at once."""

from pipeline.cli.app import app, main

__all__ = ["app", "main"]
