"""Polars' semantics on one value, for the functions ``pipeline.scalar`` generates: null is
``None`` and propagates; floats are IEEE and never raise (``x / 0`` is ``inf``, ``log(0)`` is
``-inf``, ``sqrt(-1)`` is ``nan``), the horizontal max and min skip nulls and NaN, the sum counts a
null as 0.0. Each function takes non-null operands unless it says otherwise."""

from __future__ import annotations

import math

INF, NAN = math.inf, math.nan


def div0(a, b):
    """``a / 0`` as IEEE division gives it (polars): signed infinity, or NaN for 0/0."""
    if a == 0 or a != a:
        return NAN
    return math.copysign(INF, a) * math.copysign(1.0, b)


def floordiv(a, b):
    if isinstance(a, int) and isinstance(b, int):
        return a // b if b else None
    return floor(a / b if b else div0(a, b))  # polars: floor of the IEEE quotient


def mod(a, b):
    try:
        return a % b
    except ZeroDivisionError:
        return None if isinstance(a, int) and isinstance(b, int) else NAN


def powi(a: float, n: int) -> float:
    """Rust's ``powi`` (compiler-rt ``__powidf2``), bit for bit: polars' power by an integer."""
    recip, n, r = n < 0, abs(n), 1.0
    while True:
        if n & 1:
            r *= a
        n //= 2
        if n == 0:
            break
        a *= a
    return 1.0 / r if recip and r else (div0(1.0, r) if recip else r)


def power(a, b):
    """``a ** b``: by an integer as Rust's ``powi``, else C's ``pow`` with IEEE results for its domain errors."""
    if isinstance(b, int) and not isinstance(b, bool):
        return a**b if isinstance(a, int) and b >= 0 else powi(float(a), b)
    try:
        return math.pow(a, b)
    except OverflowError:
        odd = b == b and float(b).is_integer() and int(b) % 2 == 1
        return -INF if a < 0 and odd else INF
    except ValueError:  # 0 to a negative power, or a negative base to a fractional one
        if a == 0:
            odd = float(b).is_integer() and int(b) % 2 == 1
            return math.copysign(INF, a) if odd else INF
        return NAN


def log(a, base):
    if a > 0:
        return math.log(a) if base == math.e else math.log(a) / math.log(base)
    return -INF if a == 0 else NAN


def exp(a):
    try:
        return math.exp(a)
    except OverflowError:
        return INF


def sqrt(a):
    return math.sqrt(a) if a >= 0 else NAN


def cos(a):
    return math.cos(a) if a - a == 0 else NAN  # an infinity or NaN: NaN


def arccos(a):
    return math.acos(a) if -1.0 <= a <= 1.0 else NAN


def floor(a):
    if isinstance(a, int) or a - a != 0:  # ints, infinities and NaN are their own floor
        return a
    r = float(math.floor(a))
    return r if r else math.copysign(0.0, a)


def ceil(a):
    if isinstance(a, int) or a - a != 0:
        return a
    r = float(math.ceil(a))
    return r if r else math.copysign(0.0, a)


def clip(a, lo, hi):
    if lo is not None and a < lo:
        return lo
    if hi is not None and a > hi:
        return hi
    return a


def max_h(*xs):
    """Nulls and NaN skipped; on a tie the later operand wins (0.0 vs -0.0, as polars)."""
    best = None
    for x in xs:
        if x is not None and (best is None or x >= best or best != best):
            best = x
    return best


def min_h(*xs):
    best = None
    for x in xs:
        if x is not None and (best is None or x <= best or best != best):
            best = x
    return best


def sum_h(*xs):
    """Nulls count as 0.0 (polars)."""
    total = 0.0 if xs[0] is None else xs[0]
    for x in xs[1:]:
        total = total + (0.0 if x is None else x)
    return total


def coalesce(*xs):
    for x in xs:
        if x is not None:
            return x
    return None


def concat_str(separator, ignore_nulls, *xs):
    if not ignore_nulls and any(x is None for x in xs):
        return None
    return separator.join(str(x) for x in xs if x is not None)


def cast(kind, a):
    if kind == "str":
        return a if isinstance(a, str) else str(a)
    return {"float": float, "int": int, "bool": bool}[kind](a)
