"""The scalar backend: the expression names formulas use from polars, on plain Python values.

Under ``units.expression_library(scalar)`` the formulas build a small graph of ``Expr`` nodes
instead of polars expressions; ``compile_function`` turns the graph into one generated Python
function from a dict of input values to a dict of output values, so one configuration is
answered in microseconds by the same formula code a sweep runs on polars.

Values follow polars' semantics, checked against polars in tests/test_scalar.py: ``None`` is
null and propagates through arithmetic, comparisons and math; ``when`` with a null condition
takes the next branch; ``&``/``|`` are Kleene logic; floats are IEEE (``x / 0`` is ``inf``,
``log(0)`` is ``-inf``, ``sqrt(-1)`` is ``nan``, nothing raises) and comparisons order NaN
above every number and equal to itself; the horizontal max/min skip nulls and NaN, the sum
skips nulls. Categorical and enum casts are the identity on ``str``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from itertools import count

from pipeline import scalar_values

Float64, Float32, Int64, Int32, Boolean, String, Utf8, Categorical = (
    "Float64", "Float32", "Int64", "Int32", "Boolean", "String", "Utf8", "Categorical")
_CASTS = {"Float64": "float", "Float32": "float", "Boolean": "bool", "String": "str", "Utf8": "str",
          "Categorical": "str", "Enum": "str", "Int8": "int", "Int16": "int", "Int32": "int", "Int64": "int",
          "UInt8": "int", "UInt16": "int", "UInt32": "int", "UInt64": "int"}


class Expr:
    """One node of a scalar expression graph (the scalar counterpart of ``pl.Expr``)."""

    __slots__ = ("op", "args", "name")

    def __init__(self, op: str, *args, name: str | None = None) -> None:
        self.op, self.args, self.name = op, args, name

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        raise TypeError("the truth value of an Expr is ambiguous; use & | ~ and when/then")

    def __repr__(self) -> str:
        return f"Expr({self.op}{self.args!r})"

    # -- arithmetic (str operands are literals, as in polars) --------------------
    def __add__(self, o): return Expr("+", self, _node(o))
    def __radd__(self, o): return Expr("+", _node(o), self)
    def __sub__(self, o): return Expr("-", self, _node(o))
    def __rsub__(self, o): return Expr("-", _node(o), self)
    def __mul__(self, o): return Expr("*", self, _node(o))
    def __rmul__(self, o): return Expr("*", _node(o), self)
    def __truediv__(self, o): return Expr("/", self, _node(o))
    def __rtruediv__(self, o): return Expr("/", _node(o), self)
    def __floordiv__(self, o): return Expr("//", self, _node(o))
    def __rfloordiv__(self, o): return Expr("//", _node(o), self)
    def __mod__(self, o): return Expr("%", self, _node(o))
    def __rmod__(self, o): return Expr("%", _node(o), self)
    def __pow__(self, o): return Expr("pow", self, _node(o))
    def __rpow__(self, o): return Expr("pow", _node(o), self)
    def __neg__(self): return Expr("neg", self)
    def __pos__(self): return self
    def __abs__(self): return Expr("abs", self)

    # -- comparisons and logic ----------------------------------------------------
    def __lt__(self, o): return Expr("<", self, _node(o))
    def __le__(self, o): return Expr("<=", self, _node(o))
    def __gt__(self, o): return Expr(">", self, _node(o))
    def __ge__(self, o): return Expr(">=", self, _node(o))
    def __eq__(self, o): return Expr("==", self, _node(o))  # type: ignore[override]
    def __ne__(self, o): return Expr("!=", self, _node(o))  # type: ignore[override]
    def __and__(self, o): return Expr("&", self, _node(o))
    def __rand__(self, o): return Expr("&", _node(o), self)
    def __or__(self, o): return Expr("|", self, _node(o))
    def __ror__(self, o): return Expr("|", _node(o), self)
    def __invert__(self): return Expr("not", self)

    add, sub, mul, truediv, pow = __add__, __sub__, __mul__, __truediv__, __pow__
    lt, le, gt, ge, eq, ne = __lt__, __le__, __gt__, __ge__, __eq__, __ne__
    and_, or_, not_ = __and__, __or__, __invert__

    # -- row-wise methods -------------------------------------------------------
    def abs(self): return Expr("abs", self)
    def is_null(self): return Expr("is_null", self)
    def is_not_null(self): return Expr("is_not_null", self)
    def fill_null(self, value): return Expr("fill_null", self, _node(value))
    def cast(self, dtype): return Expr("cast", self, _cast_kind(dtype))
    def log(self, base: float = math.e): return Expr("log", self, float(base))
    def exp(self): return Expr("exp", self)
    def sqrt(self): return Expr("sqrt", self)
    def cos(self): return Expr("cos", self)
    def arccos(self): return Expr("arccos", self)
    def floor(self): return Expr("floor", self)
    def ceil(self): return Expr("ceil", self)
    def alias(self, name: str): return Expr("alias", self, name=name)
    def is_in(self, values: Iterable): return Expr("is_in", self, frozenset(values))

    def clip(self, lower_bound=None, upper_bound=None):
        """Bounds may be expressions; a null bound is not applied (polars)."""
        return Expr("clip", self, None if lower_bound is None else _node(lower_bound),
                    None if upper_bound is None else _node(upper_bound))

    def replace(self, old, new=None):
        """``old -> new`` (a mapping, two lists, or two values); other values unchanged."""
        if isinstance(old, Mapping):
            mapping = dict(old)
        elif isinstance(old, (list, tuple)):
            mapping = dict(zip(old, new if isinstance(new, (list, tuple)) else [new] * len(old)))
        else:
            mapping = {old: new}
        return Expr("replace", self, mapping)


def _node(value, str_as_col: bool = False) -> Expr:
    if isinstance(value, Expr):
        return value
    if isinstance(value, str) and str_as_col:
        return col(value)
    if value is None or isinstance(value, (bool, int, float, str)):
        return Expr("lit", value)
    raise TypeError(f"the scalar backend cannot use {type(value).__module__}.{type(value).__name__} {value!r}: "
                    "formulas must build through units.E, not polars directly")


def _cast_kind(dtype) -> str:
    name = dtype if isinstance(dtype, str) else getattr(dtype, "__name__", None) or type(dtype).__name__
    if name not in _CASTS:
        raise TypeError(f"the scalar backend cannot cast to {dtype!r}")
    return _CASTS[name]


def col(name: str) -> Expr:
    return Expr("col", name)


def lit(value, dtype=None) -> Expr:
    if isinstance(value, Expr):
        return value
    return _node(value) if dtype is None else _node(value).cast(dtype)


def _flat(exprs) -> list[Expr]:
    items = []
    for e in exprs:
        items.extend(e if isinstance(e, (list, tuple)) else [e])
    return [_node(e, str_as_col=True) for e in items]


def max_horizontal(*exprs) -> Expr:
    return Expr("max_h", *_flat(exprs))


def min_horizontal(*exprs) -> Expr:
    return Expr("min_h", *_flat(exprs))


def sum_horizontal(*exprs) -> Expr:
    return Expr("sum_h", *_flat(exprs))


def coalesce(*exprs) -> Expr:
    return Expr("coalesce", *_flat(exprs))


def concat_str(exprs, *more, separator: str = "", ignore_nulls: bool = False) -> Expr:
    return Expr("concat_str", separator, ignore_nulls, *_flat([exprs, *more]))


class _When:
    def __init__(self, cases: tuple, condition) -> None:
        self.cases, self.condition = cases, condition

    def then(self, value) -> Then:
        return Then(*self.cases, self.condition, _node(value, str_as_col=True))


class Then(Expr):
    """``when(c).then(v)``: an expression (null where no branch holds) that chains on."""

    __slots__ = ()

    def __init__(self, *cases) -> None:
        super().__init__("when", *cases, Expr("lit", None))

    def when(self, *predicates) -> _When:
        return _When(self.args[:-1], _all(predicates))

    def otherwise(self, value) -> Expr:
        return Expr("when", *self.args[:-1], _node(value, str_as_col=True))


def _all(predicates) -> Expr:
    nodes = _flat(predicates)
    out = nodes[0]
    for p in nodes[1:]:
        out = out & p
    return out


def when(*predicates) -> _When:
    return _When((), _all(predicates))


# -- compilation ----------------------------------------------------------------

# The generated code calls these by short global names: polars' semantics on one value.
_HELPERS = {f"_{name}": getattr(scalar_values, name) for name in (
    "div0", "floordiv", "mod", "log", "exp", "sqrt", "cos", "arccos", "floor", "ceil", "clip", "max_h", "min_h",
    "sum_h", "coalesce", "concat_str", "cast")} | {"_pow": scalar_values.power}
_UNARY = {"exp": "_exp", "sqrt": "_sqrt", "cos": "_cos", "arccos": "_arccos", "floor": "_floor", "ceil": "_ceil",
          "abs": "abs", "neg": "-"}
# Comparisons in polars' order: NaN equals NaN and is above every number. A literal that is
# not NaN (``x > 1.0``) needs no NaN test on its side.
_COMPARE = {"<": "({b} != {b} and {a} == {a} or {a} < {b})", "<=": "({b} != {b} or {a} <= {b})",
            ">": "({a} != {a} and {b} == {b} or {a} > {b})", ">=": "({a} != {a} or {a} >= {b})",
            "==": "({a} == {b} or {a} != {a} and {b} != {b})", "!=": "not ({a} == {b} or {a} != {a} and {b} != {b})"}
_COMPARE_PLAIN_A = {"<": "({b} != {b} or {a} < {b})", "<=": "({b} != {b} or {a} <= {b})", ">": "{a} > {b}",
                    ">=": "{a} >= {b}", "==": "{a} == {b}", "!=": "{a} != {b}"}
_COMPARE_PLAIN_B = {"<": "{a} < {b}", "<=": "{a} <= {b}", ">": "({a} != {a} or {a} > {b})",
                    ">=": "({a} != {a} or {a} >= {b})", "==": "{a} == {b}", "!=": "{a} != {b}"}


def _compare(op: str, a: str, b: str, plain_a: bool, plain_b: bool) -> str:
    table = _COMPARE_PLAIN_B if plain_b else _COMPARE_PLAIN_A if plain_a else _COMPARE
    return table[op].format(a=a, b=b)


def _order(roots: list[Expr]) -> list[Expr]:
    """Every node under ``roots``, each after its inputs (iterative: graphs can be deep)."""
    seen: set[int] = set()
    out: list[Expr] = []
    for root in roots:
        stack = [(root, False)]
        while stack:
            node, done = stack.pop()
            if done:
                out.append(node)
                continue
            if id(node) in seen:
                continue
            seen.add(id(node))
            stack.append((node, True))
            stack.extend((a, False) for a in reversed(node.args) if isinstance(a, Expr))
    return out


class _Source:
    """Python source of one function: a statement per distinct operation, with null checks only
    where an operand can be null (a column, or a node built on one)."""

    def __init__(self) -> None:
        self.lines: list[str] = []
        self.constants: dict[str, object] = {}
        self.ref: dict[int, str] = {}
        self.nullable: dict[int, bool] = {}
        self.columns: dict[str, str] = {}
        self.code: dict[str, str] = {}  # statement -> the variable holding its value
        self.ids = count()

    def constant(self, value) -> str:
        if value is None or isinstance(value, (bool, int, str)) or (isinstance(value, float) and math.isfinite(value)):
            return repr(value)
        name = f"c{next(self.ids)}"
        self.constants[name] = value
        return name

    def add(self, node: Expr) -> None:
        op, args = node.op, node.args
        if op == "lit":
            self.ref[id(node)], self.nullable[id(node)] = self.constant(args[0]), args[0] is None
            return
        if op == "alias":
            self.ref[id(node)], self.nullable[id(node)] = self.ref[id(args[0])], self.nullable[id(args[0])]
            return
        r = [self.ref[id(a)] if isinstance(a, Expr) else None for a in args]
        n = [self.nullable[id(a)] if isinstance(a, Expr) else False for a in args]
        nullable = any(n)
        guard = [x for x, k in zip(r, n) if k]
        if op == "col":
            if args[0] in self.columns:  # one read per input column
                self.ref[id(node)], self.nullable[id(node)] = self.columns[args[0]], True
                return
            code, nullable, guard = f"values[{args[0]!r}]", True, []
        elif op in ("+", "-", "*"):
            code = f"{r[0]} {op} {r[1]}"
        elif op == "/":
            code = f"({r[0]} / {r[1]} if {r[1]} else _div0({r[0]}, {r[1]}))"
        elif op in ("//", "%", "pow"):
            code = f"{ {'//': '_floordiv', '%': '_mod', 'pow': '_pow'}[op]}({r[0]}, {r[1]})"
        elif op in _COMPARE:
            plain = [isinstance(a, Expr) and a.op == "lit" and a.args[0] == a.args[0] for a in args]
            code = _compare(op, r[0], r[1], *plain)
        elif op in _UNARY:
            code = f"{_UNARY[op]}({r[0]})"
        elif op == "log":
            code = f"_log({r[0]}, {self.constant(args[1])})"
        elif op == "cast":
            code = (f"({r[0]} if {r[0]}.__class__ is str else _cast('str', {r[0]}))" if args[1] == "str"
                    else f"_cast({args[1]!r}, {r[0]})")
        elif op == "&":
            code = (f"(False if {r[0]} is False or {r[1]} is False else None if {r[0]} is None or {r[1]} is None "
                    f"else True)" if nullable else f"({r[0]} and {r[1]})")
            guard = []
        elif op == "|":
            code = (f"(True if {r[0]} is True or {r[1]} is True else None if {r[0]} is None or {r[1]} is None "
                    f"else False)" if nullable else f"({r[0]} or {r[1]})")
            guard = []
        elif op == "not":
            code = f"(not {r[0]})"
        elif op == "is_null":
            code, nullable, guard = f"({r[0]} is None)", False, []
        elif op == "is_not_null":
            code, nullable, guard = f"({r[0]} is not None)", False, []
        elif op == "fill_null":
            code, nullable, guard = (f"({r[0]} if {r[0]} is not None else {r[1]})", n[1], []) if n[0] else \
                (r[0], False, [])
        elif op == "clip":
            code, guard = f"_clip({r[0]}, {r[1]}, {r[2]})", guard[:1] if n[0] else []
            nullable = n[0]
        elif op == "is_in":
            code = f"({r[0]} in {self.constant(args[1])})"
        elif op == "replace":
            code = f"{self.constant(args[1])}.get({r[0]}, {r[0]})"
            nullable = n[0] or None in args[1].values()
        elif op == "when":
            *pairs, default = r
            code = " else ".join(f"{v} if {c}" for c, v in zip(pairs[::2], pairs[1::2])) + f" else {default}"
            code, guard = f"({code})", []
            nullable = any(n[1::2]) or n[-1]
        elif op in ("max_h", "min_h", "coalesce"):
            code, guard, nullable = f"_{op}({', '.join(r)})", [], all(n)
        elif op == "sum_h":
            code, guard, nullable = f"_sum_h({', '.join(r)})", [], False
        elif op == "concat_str":
            code = f"_concat_str({args[0]!r}, {args[1]!r}, {', '.join(r[2:])})"
            guard, nullable = [], not args[1] and any(n[2:])
        else:
            raise TypeError(f"the scalar backend has no operation {op!r}")
        if guard:
            code = f"None if {' or '.join(f'{g} is None' for g in dict.fromkeys(guard))} else {code}"
        if code in self.code:  # the same operation on the same operands (formulas rebuild terms)
            self.ref[id(node)], self.nullable[id(node)] = self.code[code], nullable
            return
        name = f"v{next(self.ids)}"
        self.code[code] = name
        self.lines.append(f"    {name} = {code}")
        if op == "col":
            self.columns[args[0]] = name
        self.ref[id(node)], self.nullable[id(node)] = name, nullable


def compile_function(outputs: Mapping[str, Expr] | Iterable[Expr]) -> Callable[[Mapping], dict]:
    """One Python function computing ``outputs`` (name -> expression, or aliased expressions)
    from a mapping of input column values; every shared node is computed once."""
    if not isinstance(outputs, Mapping):
        outputs = {(e.name or e.args[0]): e for e in outputs}
    outputs = {name: _node(e) for name, e in outputs.items()}
    source = _Source()
    for node in _order(list(outputs.values())):
        source.add(node)
    body = ", ".join(f"{k!r}: {source.ref[id(e)]}" for k, e in outputs.items())
    text = "def scalar_function(values):\n" + "\n".join(source.lines) + f"\n    return {{{body}}}\n"
    namespace = dict(_HELPERS) | source.constants
    exec(compile(text, "<scalar formulas>", "exec"), namespace)  # noqa: S102 (our own generated source)
    function = namespace["scalar_function"]
    function.source = text  # type: ignore[attr-defined]
    return function
