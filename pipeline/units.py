"""Units: one strict pint registry and a unit-carrying wrapper over polars expressions.

The registry is built from our own definitions file (``units.txt``), not pint's
default one, where ``bit`` is dimensionless and ``1 GB + 1`` passes silently. Here
information, FLOP, parameter, element, token, currency and CO2e mass are separate
dimensions.

``UExpr`` pairs an expression with a pint unit: a ``pl.Expr`` while a sweep's plan is built,
a ``pipeline.scalar`` node while a single-configuration function is compiled (``E`` below).
Units are checked once, while the plan is built: ``*`` and ``/`` combine units, ``+``/``-``/comparisons/max/min
require equal dimensionality and rescale the right-hand side by a constant factor,
``.to(unit)`` rescales. A formula that adds FLOP/s to B/s raises
``pint.DimensionalityError`` before any row is read and costs nothing per row.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType
from typing import Union

import pint
import polars as pl

DEFINITIONS = Path(__file__).with_name("units.txt")

ureg = pint.UnitRegistry(str(DEFINITIONS), autoconvert_offset_to_baseunit=False)
DimensionalityError = pint.DimensionalityError
Unit = pint.Unit
Quantity = ureg.Quantity
DIMENSIONLESS = ureg.dimensionless


class ExpressionLibrary:
    """The expression library formulas build with, under polars' names: ``E.when``, ``E.lit``,
    ``E.col``, ``E.max_horizontal`` ... Polars while a sweep's plan is built; another module with
    the same names (the scalar backend) while a single-configuration function is compiled, so
    one implementation of every formula serves both. Formulas never call ``pl.*`` directly."""

    def __init__(self, module: ModuleType) -> None:
        self.module = module

    def __getattr__(self, name: str):
        return getattr(self.module, name)


E = ExpressionLibrary(pl)


@contextmanager
def expression_library(module: ModuleType) -> Iterator[None]:
    """Build formulas with ``module`` instead of polars inside the ``with`` block."""
    previous, E.module = E.module, module
    try:
        yield
    finally:
        E.module = previous


def unit(spec: str | pint.Unit | None) -> pint.Unit:
    """Parse a unit string ("B/s", "FLOP", "") into a registry unit."""
    if spec is None or spec == "":
        return DIMENSIONLESS
    if isinstance(spec, pint.Unit):
        return spec
    return ureg.Unit(spec)


def unit_str(u: pint.Unit) -> str:
    """pint's short compact form ("B/s", "FLOP/B"); "" for dimensionless."""
    return "" if u == DIMENSIONLESS else f"{u:~C}"


def factor(from_unit: pint.Unit, to_unit: pint.Unit) -> float:
    """Constant that converts a value in ``from_unit`` to ``to_unit``.

    Raises ``pint.DimensionalityError`` when the dimensions differ.
    """
    if from_unit == to_unit:
        return 1.0
    return float(Quantity(1.0, from_unit).to(to_unit).magnitude)


Operand = Union["UExpr", pint.Quantity, int, float]


class UExpr:
    """An expression of the library in use (``E``: polars, or the scalar backend) whose values
    are in ``unit``. A constant (``lit``) keeps its plain number and becomes an expression of
    the library in use when read, so a module-level constant serves both backends."""

    __slots__ = ("_expr", "unit")

    def __init__(self, expr: pl.Expr | float, unit: pint.Unit) -> None:
        object.__setattr__(self, "_expr", expr)
        object.__setattr__(self, "unit", unit)

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError(f"UExpr is immutable (cannot set {name!r})")

    @property
    def expr(self) -> pl.Expr:
        e = self._expr
        return E.lit(e) if type(e) is float else e

    # -- construction ---------------------------------------------------------
    @staticmethod
    def of(value: Operand) -> UExpr:
        if isinstance(value, UExpr):
            return value
        if isinstance(value, pint.Quantity):
            return UExpr(E.lit(float(value.magnitude)), value.units)
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return UExpr(E.lit(float(value)), DIMENSIONLESS)
        raise TypeError(f"cannot use {type(value).__name__} {value!r} in a unit expression")

    # -- unit algebra ---------------------------------------------------------
    def __mul__(self, other: Operand) -> UExpr:
        o = UExpr.of(other)
        return UExpr(self.expr * o.expr, self.unit * o.unit)

    __rmul__ = __mul__

    def __truediv__(self, other: Operand) -> UExpr:
        o = UExpr.of(other)
        return UExpr(self.expr / o.expr, self.unit / o.unit)

    def __rtruediv__(self, other: Operand) -> UExpr:
        return UExpr.of(other) / self

    def __pow__(self, power: int) -> UExpr:
        return UExpr(self.expr.pow(power), self.unit**power)

    def __neg__(self) -> UExpr:
        return UExpr(-self.expr, self.unit)

    def _aligned(self, other: Operand) -> pl.Expr:
        """``other`` as an expression in this unit (same dimensionality required).

        A bare ``0`` is zero in any unit, so ``where(cond, x, 0)`` needs no unit.
        """
        if _is_zero(other):
            return E.lit(0.0)
        o = UExpr.of(other)
        k = factor(o.unit, self.unit)
        return o.expr if k == 1.0 else o.expr * k

    def __add__(self, other: Operand) -> UExpr:
        return UExpr(self.expr + self._aligned(other), self.unit)

    def __radd__(self, other: Operand) -> UExpr:
        return UExpr.of(other) + self

    def __sub__(self, other: Operand) -> UExpr:
        return UExpr(self.expr - self._aligned(other), self.unit)

    def __rsub__(self, other: Operand) -> UExpr:
        return UExpr.of(other) - self

    def __lt__(self, other: Operand) -> pl.Expr:
        return self.expr < self._aligned(other)

    def __le__(self, other: Operand) -> pl.Expr:
        return self.expr <= self._aligned(other)

    def __gt__(self, other: Operand) -> pl.Expr:
        return self.expr > self._aligned(other)

    def __ge__(self, other: Operand) -> pl.Expr:
        return self.expr >= self._aligned(other)

    def to(self, target: str | pint.Unit) -> UExpr:
        t = unit(target)
        k = factor(self.unit, t)
        return UExpr(self.expr if k == 1.0 else self.expr * k, t)

    def magnitude(self, target: str | pint.Unit) -> pl.Expr:
        """The plain expression, in ``target`` units."""
        return self.to(target).expr

    # -- row-wise helpers that keep the unit -----------------------------------
    def is_null(self) -> pl.Expr:
        return self.expr.is_null()

    def fill_null(self, value: Operand) -> UExpr:
        return UExpr(self.expr.fill_null(self._aligned(value)), self.unit)

    def cast(self, dtype: pl.DataType) -> UExpr:
        return UExpr(self.expr.cast(dtype), self.unit)

    def __bool__(self) -> bool:  # guard against `if uexpr:` and `a < b < c`
        raise TypeError("a UExpr has no truth value; use polars boolean expressions")

    def __repr__(self) -> str:
        return f"UExpr[{unit_str(self.unit) or 'dimensionless'}]({self._expr})"


def col(name: str, u: str | pint.Unit | None) -> UExpr:
    return UExpr(E.col(name), unit(u))


def lit(value: float, u: str | pint.Unit | None = None) -> UExpr:
    """A constant in unit ``u``: an expression of whichever library builds the formula."""
    return UExpr(float(value), unit(u))


def maximum(first: UExpr, *rest: Operand) -> UExpr:
    """Row-wise max; every operand must share ``first``'s dimensionality."""
    return UExpr(E.max_horizontal(first.expr, *(first._aligned(r) for r in rest)), first.unit)


def minimum(first: UExpr, *rest: Operand) -> UExpr:
    """Row-wise min; every operand must share ``first``'s dimensionality."""
    return UExpr(E.min_horizontal(first.expr, *(first._aligned(r) for r in rest)), first.unit)


def _is_zero(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value == 0


def where(condition: pl.Expr, then: Operand, otherwise: Operand) -> UExpr:
    """``then`` where ``condition`` holds, else ``otherwise`` (converted to ``then``'s unit).

    A bare ``0`` on either side takes the other side's unit.
    """
    if _is_zero(then) and not _is_zero(otherwise):
        t = UExpr.of(otherwise)
        return UExpr(E.when(condition).then(E.lit(0.0)).otherwise(t.expr), t.unit)
    t = UExpr.of(then)
    return UExpr(E.when(condition).then(t.expr).otherwise(t._aligned(otherwise)), t.unit)
