"""Walls: modules of formulas, one function per output column (see ``pipeline.formulas``).

Importing this package registers every formula.
"""

from pipeline.walls import architecture, compute, data, memory, operations, operators, software  # noqa: F401
