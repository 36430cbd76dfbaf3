"""Read the token budget a TensorRT-LLM MLPerf Inference submission's config states (r-chunkctx/README.md).

A v5.1 config (``closed/<submitter>/configs/<system>/<Scenario>/<benchmark>.py``) is a dict ``EXPORTS`` keyed by
workload setting (harness, accuracy target, power setting); each value holds ``trtllm_runtime_flags`` (the runtime
``max_num_tokens``, ``enable_chunked_context``) and ``trtllm_build_flags`` (the engine's ``max_num_tokens``, the
runtime's default). The file is run with its ``code.*`` imports stubbed (every attribute a name, every call a tuple
of its arguments), so nothing of the submission's code runs; the line of each value is found in the text.
"""

from __future__ import annotations

import re
import subprocess
import types
from pathlib import Path


class _Name(str):
    """A stubbed attribute: its dotted name; calling it gives the tuple of the name and its arguments."""

    def __getattr__(self, attr: str) -> _Name:
        return _Name(f"{self}.{attr}")

    def __call__(self, *args, **kwargs):
        return (str(self), *args, *sorted(kwargs.items()))


class _Stub(types.ModuleType):
    def __getattr__(self, attr: str) -> _Name:
        if attr.startswith("__"):
            raise AttributeError(attr)
        return _Name(attr)


def show(mirror: Path, path: str) -> str:
    """A file at the mirror's HEAD (a bare git directory from the search tool's ``fetch``)."""
    return subprocess.run(["git", "--git-dir", str(mirror), "show", f"HEAD:{path}"], capture_output=True, text=True,
                          check=True).stdout


def exports(text: str) -> dict:
    """The EXPORTS dict of a v5.1 config, its code.* imports stubbed."""
    real = __builtins__["__import__"] if isinstance(__builtins__, dict) else __builtins__.__import__

    def stubbed(name, globals=None, locals=None, fromlist=(), level=0):
        return _Stub(name) if name == "code" or name.startswith("code.") else real(name, globals, locals, fromlist,
                                                                                     level)
    scope: dict = {"__builtins__": (__builtins__ if isinstance(__builtins__, dict) else vars(__builtins__))
                   | {"__import__": stubbed}}
    exec(compile(text, "config", "exec"), scope)  # noqa: S102 - stubbed imports; a dict of literals
    return scope["EXPORTS"]


def flag(setting: dict, group: str, key: str):
    """``setting[<...>.group][key]`` (the field names are stubbed: matched by their last part)."""
    for field, value in setting.items():
        if str(field).split(".")[-1] == group and isinstance(value, dict):
            return value.get(key)
    return None


def budget(setting: dict) -> tuple[int | None, str]:
    """The runtime max_num_tokens a workload setting states, else its engine's (the runtime default), and which."""
    runtime = flag(setting, "trtllm_runtime_flags", "max_num_tokens")
    if runtime is not None:
        return int(runtime), "trtllm_runtime_flags"
    build = flag(setting, "trtllm_build_flags", "max_num_tokens")
    return (int(build), "trtllm_build_flags") if build is not None else (None, "")


def line_of(text: str, group: str, value: int) -> int | None:
    """The line of ``'max_num_tokens': value`` inside the first block of ``group``."""
    lines = text.splitlines()
    inside = False
    for i, line in enumerate(lines, start=1):
        if group in line:
            inside = True
        elif inside and re.search(r"^\s*(llm_fields|harness_fields|model_fields|loadgen_fields)\.", line):
            inside = False
        if inside and re.search(rf"['\"]max_num_tokens['\"]\s*:\s*{value}\b", line):
            return i
    return None
