"""Read a TensorRT-LLM MLPerf Inference v6.0 config statically (nothing of the submission is imported or run).

A v6.0 config (``closed/<submitter>/configs/<system>/<Scenario>/<benchmark>.py``) is, as in v5.1, a dict ``EXPORTS``
keyed by workload setting (``C.WorkloadSetting(harness, C.AccuracyTarget(a), power)``) whose values are dicts of
literals (``llm_fields.tensor_parallelism: 8``, ``trtllm_runtime_flags: {'max_num_tokens': 4638 * 3, ...}``), built
from module-level names (``base = {...}``, ``{**base, ...}``). ``settings`` evaluates the module's assignments with
``ast``: constants, names, dicts (with ``**`` unpacking), lists, arithmetic; an attribute is its dotted name, a call
the tuple of its dotted name and arguments. Each dict remembers the source line of each of its values.
"""

from __future__ import annotations

import ast
import operator

OPERATORS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.FloorDiv: operator.floordiv,
             ast.Div: operator.truediv, ast.Pow: operator.pow, ast.BitOr: operator.or_}


class Lined(dict):
    """A dict that remembers the source line of each value (``lines[key]``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.lines: dict = {}


def dotted(node: ast.AST) -> str:
    return dotted(node.value) + "." + node.attr if isinstance(node, ast.Attribute) else getattr(node, "id", "?")


def value(node: ast.AST, scope: dict):
    """A literal expression of the config, names resolved in ``scope`` (an unknown name is its own string)."""
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return scope.get(node.id, node.id)
    if isinstance(node, ast.Attribute):
        return dotted(node)
    if isinstance(node, (ast.List, ast.Tuple, ast.Set)):
        return [value(e, scope) for e in node.elts]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -value(node.operand, scope)
    if isinstance(node, ast.BinOp) and type(node.op) in OPERATORS:
        left, right = value(node.left, scope), value(node.right, scope)
        try:
            return OPERATORS[type(node.op)](left, right)
        except TypeError:
            return None
    if isinstance(node, ast.Dict):
        out = Lined()
        for k, v in zip(node.keys, node.values, strict=True):
            if k is None:  # {**base, ...}
                inner = value(v, scope)
                if isinstance(inner, dict):
                    out.update(inner)
                    out.lines.update(getattr(inner, "lines", {}))
                continue
            key = value(k, scope)
            key = key if isinstance(key, (str, int, float, tuple)) else str(key)
            out[key], out.lines[key] = value(v, scope), v.lineno
        return out
    if isinstance(node, ast.Call):
        return (dotted(node.func), *(value(a, scope) for a in node.args))
    return None


def settings(text: str, name: str = "EXPORTS") -> dict:
    """The module's EXPORTS (or ``name``, e.g. ATOMIC_EXPORTS: setting -> variant -> fields): workload setting (a
    tuple) -> its dict of fields (``Lined``)."""
    scope: dict = {}
    try:
        body = ast.parse(text).body
    except SyntaxError:  # one v6.0 file starts '~import': not a Python file, so it states nothing
        return {}
    for statement in body:
        if isinstance(statement, ast.Assign) and all(isinstance(t, ast.Name) for t in statement.targets):
            for target in statement.targets:
                scope[target.id] = value(statement.value, scope)
    exports = scope.get(name)
    return {tuple(_flat(k)): v for k, v in exports.items()} if isinstance(exports, dict) else {}


def _flat(key) -> list:
    """('C.WorkloadSetting', 'C.HarnessType.Custom', ('C.AccuracyTarget', 0.99), 'C.PowerSetting.MaxP') ->
    ['C.WorkloadSetting', 'C.HarnessType.Custom', 'C.AccuracyTarget', 0.99, 'C.PowerSetting.MaxP']."""
    out = []
    for part in key if isinstance(key, tuple) else (key,):
        out += _flat(part) if isinstance(part, tuple) else [part]
    return out


def setting(text: str, harness: str, accuracy: float, power: str = "MaxP", name: str = "EXPORTS") -> Lined | None:
    """The setting of ``harness`` (Custom, Triton), accuracy target and power setting, or None."""
    for key, fields in settings(text, name).items():
        names = [str(k) for k in key]
        if (any(n.endswith(f".{harness}") for n in names) and accuracy in key
                and any(n.endswith(f".{power}") for n in names)):
            return fields
    return None


def field(fields: dict, name: str) -> tuple:
    """(value, line) of the field whose dotted name ends in ``name`` ('llm_fields.tensor_parallelism'), or (None,
    None)."""
    for key, v in fields.items():
        if str(key).split(".")[-1] == name:
            return v, fields.lines.get(key)
    return None, None


def flag(fields: dict, group: str, key: str) -> tuple:
    """(value, line) of ``fields[<...>.group][key]`` (trtllm_runtime_flags, trtllm_build_flags, ...)."""
    inner, _ = field(fields, group)
    if isinstance(inner, dict) and key in inner:
        return inner[key], getattr(inner, "lines", {}).get(key)
    return None, None
