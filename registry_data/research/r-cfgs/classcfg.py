"""Read a class-style NVIDIA MLPerf Inference config (v4.1 and earlier) statically, with ``ast``: nothing of the
submission is imported or run (r-cfgs/README.md).

A submission's ``closed/<submitter>/configs/<benchmark>/<Scenario>/__init__.py`` (and ``custom.py`` beside it,
which starts ``from . import *``) holds classes decorated ``@ConfigRegistry.register(HarnessType.X,
AccuracyTarget.Y, PowerSetting.Z)`` with ``system = KnownSystem.<member>``; attributes are inherited from base
classes in the same files and from ``GPUBaseConfig`` of ``configs/<benchmark>/__init__.py``. The member a run's
system id names is read from ``code/common/systems/system_list.py`` (``add_systems(name_format, id_format, ...,
counts, ...)``) and ``custom_list.py`` (``custom_systems['<member>'] = SystemConfiguration(..., system_id="<id>")``);
a member spelled as the id itself (``-`` as ``_``) is taken as that id.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field


@dataclass
class ConfigClass:
    """One class of a config file: its bases, its literal attributes with their lines, its registration."""

    name: str
    path: str
    bases: list[str]
    attrs: dict[str, tuple[object, int]] = field(default_factory=dict)
    setting: tuple[str, str, str] | None = None  # (harness, accuracy target, power setting) member names
    system: str | None = None
    config_ver: str = ""  # the registration's optional fourth argument ("PP2", "TP2", ...)
    exprs: dict[str, ast.AST] = field(default_factory=dict)  # every attribute's expression, literal or not
    keys: dict[str, dict[str, int]] = field(default_factory=dict)  # a dict attribute's key -> its line


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return f"{_dotted(node.value)}.{node.attr}"
    return ""


def classes(text: str, path: str) -> dict[str, ConfigClass]:
    """Every class of a config file; an attribute that is no literal is kept as ``...`` (stated, not read)."""
    out: dict[str, ConfigClass] = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            alias = _dotted(node.value).split(".")[-1]  # GPUBaseConfig = ParentConfig.GPUBaseConfig
            if alias == node.targets[0].id:
                continue
        if not isinstance(node, ast.ClassDef):
            continue
        c = ConfigClass(node.name, path, [_dotted(b).split(".")[-1] for b in node.bases])
        for d in node.decorator_list:
            if isinstance(d, ast.Call) and _dotted(d.func).endswith("register") and len(d.args) in (3, 4):
                c.setting = tuple(_dotted(a).split(".")[-1] for a in d.args[:3])
                c.config_ver = d.args[3].value if len(d.args) == 4 else ""
        for stmt in node.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                key = stmt.targets[0].id
                if key == "system":
                    c.system = _dotted(stmt.value).split(".")[-1]
                try:
                    value = ast.literal_eval(stmt.value)
                except ValueError:
                    value = ...
                c.attrs[key] = (value, stmt.lineno)
                c.exprs[key] = stmt.value
                if isinstance(stmt.value, ast.Dict):
                    c.keys[key] = {k.value: k.lineno for k in stmt.value.keys if isinstance(k, ast.Constant)}
        out[node.name] = c
    return out


def lookup(name: str, key: str, scopes: list[dict[str, ConfigClass]]) -> tuple[object, ConfigClass] | None:
    """``key`` on class ``name`` by its MRO (depth first, left to right: the files' classes have one base each).

    ``scopes``: the class tables in name-resolution order (custom.py, the scenario's __init__.py, the benchmark's
    __init__.py); a class defined twice is the first scope's."""
    def find(n: str) -> ConfigClass | None:
        return next((s[n] for s in scopes if n in s), None)
    seen: set[int] = set()
    stack = [find(name)]
    while stack:
        c = stack.pop(0)
        if c is None or id(c) in seen:
            continue
        seen.add(id(c))
        if key in c.attrs:
            return c.attrs[key][0], c
        # a base named as the class itself (custom.py re-defining a base) resolves in the next scope
        stack = [next((s[b] for s in scopes if b in s and s[b] is not c), None) for b in c.bases] + stack
    return None


def mro(name: str, scopes: list[dict[str, ConfigClass]]) -> list[ConfigClass]:
    """The class and its bases, nearest first (depth first, left to right), each resolved from its own scope on."""
    out: list[ConfigClass] = []
    stack = [next((s[name] for s in scopes if name in s), None)]
    while stack:
        c = stack.pop(0)
        if c is None or any(c is o for o in out):
            continue
        out.append(c)
        stack = [next((s[b] for s in scopes if b in s and s[b] is not c), None) for b in c.bases] + stack
    return out


def merged(name: str, key: str, scopes: list[dict[str, ConfigClass]]) -> dict[str, tuple[object, ConfigClass]]:
    """A ``trtllm_*_flags`` dict as NVIDIA's v5.0 configs build it (``configs/configuration.py``,
    ``TrtllmFlagsInherit``: each class's dict updates its bases'): key -> (value, the class whose line states it)."""
    out: dict[str, tuple[object, ConfigClass]] = {}
    for c in reversed(mro(name, scopes)):
        value = c.attrs.get(key, (None,))[0]
        if isinstance(value, dict):
            out.update({k: (v, c) for k, v in value.items()})
    return out


def number(name: str, key: str, scopes: list[dict[str, ConfigClass]]) -> float | None:
    """A numeric attribute by the MRO, evaluating ``+ - * /`` of numbers and ``OtherClass.attribute``."""
    owner = next((c for c in mro(name, scopes) if key in c.exprs), None)
    if owner is None:
        return None

    def ev(node: ast.AST) -> float:
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            got = number(node.value.id, node.attr, scopes)
            if got is None:
                raise ValueError(_dotted(node))
            return got
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div)):
            a, b = ev(node.left), ev(node.right)
            return {ast.Add: a + b, ast.Sub: a - b, ast.Mult: a * b, ast.Div: a / b if b else float("nan")}[
                type(node.op)]
        raise ValueError(ast.dump(node))
    try:
        return ev(owner.exprs[key])
    except ValueError:
        return None


def system_members(system_list: str, custom_list: str | None) -> dict[str, str]:
    """system id -> KnownSystem member, from a submission's system_list.py (and custom_list.py)."""
    out: dict[str, str] = {}
    for node in ast.walk(ast.parse(system_list)):
        if isinstance(node, ast.Call) and _dotted(node.func) == "add_systems" and len(node.args) >= 5:
            name, ident, counts = node.args[0], node.args[1], node.args[4]
            if not (isinstance(name, ast.Constant) and isinstance(ident, ast.Constant)):
                continue
            for n in ast.literal_eval(counts):
                out[ident.value.format(n)] = name.value.format(n)
    for member, ident in re.findall(r"custom_systems\[['\"](\w+)['\"]\]\s*=.*?system_id=['\"]([^'\"]+)['\"]",
                                    custom_list or "", flags=re.S):
        out[ident] = member
    return out
