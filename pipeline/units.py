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
import math
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import Union

import polars as pl

if "pint" in sys.modules or "dask" in sys.modules:
    import pint
else:  # pint imports dask for its dask-array support when dask is installed (0.2-0.5 CPU s, jinja2 and yaml with
    sys.modules["dask"] = None  # it), which nothing here uses: hidden while pint loads (pint.compat.HAS_DASK is
    try:  # then false); an `import dask` later (the Dask executor) loads it as usual
        import pint
    finally:
        del sys.modules["dask"]

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


# What a user may write for a unit or a quantity, checked before pint sees the text: pint's
# parser evaluates arithmetic ("9**9**9 B/s" never returns), so only names, "1" and "%", joined
# by *, / or a space, each with an optional integer exponent of at most two digits, and one
# decimal number in front of a quantity's unit. Bounded length.
MAX_UNIT_TEXT = 64
_TERM = r"(?:[^\W\d]\w*|%|1)(?:\s*(?:\*\*|\^)\s*[+-]?\d{1,2})?"
UNIT_TEXT = re.compile(rf"{_TERM}(?:\s*[*/·]\s*{_TERM}|\s+{_TERM})*")
NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
QUANTITY_TEXT = re.compile(rf"\s*(?P<number>{NUMBER_TEXT.pattern})\s*(?P<unit>{UNIT_TEXT.pattern})?\s*")


class UnitTextError(ValueError):
    """Text that is not a unit (or not a number with a unit) in the accepted syntax."""


def unit(spec: str | pint.Unit | None) -> pint.Unit:
    """Parse a unit string ("B/s", "FLOP", "") into a registry unit. Only the syntax of
    ``UNIT_TEXT`` is accepted (no arithmetic): anything else raises ``UnitTextError``; an
    unknown name raises pint's ``UndefinedUnitError``."""
    if spec is None or spec == "":
        return DIMENSIONLESS
    if isinstance(spec, pint.Unit):
        return spec
    text = str(spec).strip()
    if len(text) > MAX_UNIT_TEXT or not UNIT_TEXT.fullmatch(text):
        raise UnitTextError(f"{_shown(text)} is not a unit (expected names such as B/s, TFLOP/s, ms, tok/s, %)")
    return ureg.Unit(text)


def parse_quantity(text: str) -> pint.Quantity:
    """A number and an optional unit ("4 TB/s", "2.5e-3 s", "80") and nothing else: no
    operators, no expressions, at most ``MAX_UNIT_TEXT`` characters. Raises ``UnitTextError``
    (or pint's ``UndefinedUnitError`` for an unknown unit name)."""
    text = str(text)
    m = QUANTITY_TEXT.fullmatch(text) if len(text) <= MAX_UNIT_TEXT else None
    if m is None or not math.isfinite(float(m["number"])):
        raise UnitTextError(f"{_shown(text)} is not a number with a unit (expected e.g. '4 TB/s' or '2.5 ms')")
    return Quantity(float(m["number"]), unit(m["unit"]))


def _shown(text: str) -> str:
    return repr(text if len(text) <= MAX_UNIT_TEXT else text[:MAX_UNIT_TEXT] + "...")


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


# == Named helpers for the walls (issue 11 item 3) ===========================================
# Appended as functions and methods so the UExpr methods above stay as they are. Comparisons and
# arithmetic between quantities go through UExpr; the escapes below are the only unitless
# operations the walls use, each named, each stating which units it accepts.

Plain = pl.Expr  # a column with no unit: a boolean, a text or a category (``E.when``, ``E.lit``)


def _dimensionless_expr(x: UExpr) -> pl.Expr:
    """``x`` as a plain number; ``pint.DimensionalityError`` unless ``x`` is dimensionless."""
    return x.to(DIMENSIONLESS).expr


def _bound_value(x: UExpr, value: Operand | None):
    """A clip bound in ``x``'s unit: a float for 0 or a dimensionless ``x``, else an expression."""
    if value is None:
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and (value == 0 or x.unit == DIMENSIONLESS):
        return float(value)
    return x._aligned(value)


def _log(self: UExpr, base: float | None = None) -> UExpr:
    """Logarithm (natural, or to ``base``) of a dimensionless quantity (Erlang C, tree depths)."""
    x = _dimensionless_expr(self)
    return UExpr(x.log() if base is None else x.log(base), DIMENSIONLESS)


def _exp(self: UExpr) -> UExpr:
    """Exponential of a dimensionless quantity."""
    return UExpr(_dimensionless_expr(self).exp(), DIMENSIONLESS)


def _sqrt(self: UExpr) -> UExpr:
    """Square root; the unit becomes its square root (s**2 -> s)."""
    return UExpr(self.expr.sqrt(), self.unit**0.5)


def _power(self: UExpr, exponent: UExpr) -> UExpr:
    """A dimensionless base to a per-row dimensionless exponent ((1 - k/E) ** tokens)."""
    return UExpr(_dimensionless_expr(self).pow(_dimensionless_expr(exponent)), DIMENSIONLESS)


def _floor(self: UExpr) -> UExpr:
    """Round down in the quantity's own unit (whole sequences, whole ranks)."""
    return UExpr(self.expr.floor(), self.unit)


def _ceil(self: UExpr) -> UExpr:
    """Round up in the quantity's own unit (whole layers, whole blocks, whole nodes)."""
    return UExpr(self.expr.ceil(), self.unit)


def _clip(self: UExpr, lower: Operand | None = None, upper: Operand | None = None) -> UExpr:
    """Limit to [lower, upper]; the bounds are converted to this unit (a bare 0 fits any)."""
    return UExpr(self.expr.clip(_bound_value(self, lower), _bound_value(self, upper)), self.unit)


def _abs(self: UExpr) -> UExpr:
    return UExpr(self.expr.abs(), self.unit)


def _is_not_null(self: UExpr) -> pl.Expr:
    return self.expr.is_not_null()


UExpr.log = _log  # type: ignore[attr-defined]
UExpr.exp = _exp  # type: ignore[attr-defined]
UExpr.sqrt = _sqrt  # type: ignore[attr-defined]
UExpr.power = _power  # type: ignore[attr-defined]
UExpr.floor = _floor  # type: ignore[attr-defined]
UExpr.ceil = _ceil  # type: ignore[attr-defined]
UExpr.clip = _clip  # type: ignore[attr-defined]
UExpr.abs = _abs  # type: ignore[attr-defined]
UExpr.is_not_null = _is_not_null  # type: ignore[attr-defined]


def only_where(condition: pl.Expr, value: Operand) -> UExpr:
    """``value`` where ``condition`` holds, else null (a timing of a configuration that cannot run)."""
    v = UExpr.of(value)
    return UExpr(E.when(condition).then(v.expr), v.unit)


def total(first: Operand, *rest: Operand) -> UExpr:
    """The sum of quantities of one dimensionality, in the first one's unit (null if any is null)."""
    out = UExpr.of(first)
    for part in rest:
        out = out + part
    return out
