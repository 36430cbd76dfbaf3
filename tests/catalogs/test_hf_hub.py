"""``mlsys catalog import --hf-repo org/name`` against a mocked Hub (no network): the config is fetched by
huggingface_hub's ``hf_hub_download`` and imported by the local-file path; every failure exits 2 saying
what to do."""

from __future__ import annotations

import json
import sys
import types

import polars as pl
import pytest

from pipeline.catalogs.io import read_catalog
from tests.catalogs.test_hf_config import LLAMA_2_7B


class _Response:
    def __init__(self, status_code: int):
        self.status_code = status_code


def _fake_hub(monkeypatch, download) -> list[dict]:
    """A stand-in ``huggingface_hub`` (its error classes as the library nests them) whose
    ``hf_hub_download`` calls ``download(**kwargs)``; returns the calls made."""
    errors = types.ModuleType("huggingface_hub.errors")

    class HfHubHTTPError(OSError):
        def __init__(self, message, response=None):
            super().__init__(message)
            self.response = response

    class RepositoryNotFoundError(HfHubHTTPError): ...
    class GatedRepoError(RepositoryNotFoundError): ...
    class RevisionNotFoundError(HfHubHTTPError): ...
    class EntryNotFoundError(Exception): ...
    class LocalEntryNotFoundError(FileNotFoundError, EntryNotFoundError): ...

    for cls in (HfHubHTTPError, RepositoryNotFoundError, GatedRepoError, RevisionNotFoundError, EntryNotFoundError,
                LocalEntryNotFoundError):
        setattr(errors, cls.__name__, cls)
    calls = []

    def hf_hub_download(**kwargs):
        calls.append(kwargs)
        return download(errors, **kwargs)

    hub = types.ModuleType("huggingface_hub")
    hub.errors, hub.hf_hub_download = errors, hf_hub_download
    monkeypatch.setitem(sys.modules, "huggingface_hub", hub)
    monkeypatch.setitem(sys.modules, "huggingface_hub.errors", errors)
    return calls


ARGS = ("catalog", "import", "--hf-repo", "meta-llama/Llama-2-7b-hf", "--name", "Llama 2 7B (hub)",
        "--release-year", "2023")


def test_fetches_config_then_imports_it(mlsys, registry, tmp_path, monkeypatch):
    path = tmp_path / "cache" / "config.json"
    path.parent.mkdir()
    path.write_text(json.dumps(LLAMA_2_7B))
    calls = _fake_hub(monkeypatch, lambda errors, **kw: str(path))
    res = mlsys(*ARGS, "--revision", "01c7f73", "--registry", registry)
    assert res.exit_code == 0, res.stderr
    assert calls == [{"repo_id": "meta-llama/Llama-2-7b-hf", "filename": "config.json", "revision": "01c7f73"}]
    row = read_catalog("models", registry).filter(pl.col("name") == "Llama 2 7B (hub)").row(0, named=True)
    assert row["source_url"] == "https://huggingface.co/meta-llama/Llama-2-7b-hf/blob/01c7f73/config.json"
    assert row["source_quality"] == "primary"
    assert (row["n_layers"], row["d_model"], row["ffn_dim"]) == (32, 4096, 11008)  # the config's values


def _raise(kind: str, status: int | None = None):
    def download(errors, **kw):
        raise getattr(errors, kind)("hub message", *([] if status is None else [_Response(status)]))
    return download


@pytest.mark.parametrize(("kind", "status", "expected"), [
    ("GatedRepoError", 403, "the repository is gated: accept its terms on https://huggingface.co/meta-llama/"
                            "Llama-2-7b-hf while logged in, then log in with `huggingface-cli login`"),
    ("RepositoryNotFoundError", 404, "no repository 'meta-llama/Llama-2-7b-hf' on the Hub (HTTP 404)"),
    ("HfHubHTTPError", 401, "the Hub refused access (HTTP 401): log in with `huggingface-cli login`"),
    ("LocalEntryNotFoundError", None, "cannot reach the Hub (no network"),
    ("EntryNotFoundError", 404, "the repository has no config.json"),
    ("RevisionNotFoundError", 404, "the repository has no revision"),
])
def test_hub_failures_exit_2_with_what_to_do_and_write_nothing(mlsys, registry, monkeypatch, kind, status,
                                                                expected):
    before = (registry / "models.parquet").read_bytes()
    _fake_hub(monkeypatch, _raise(kind, status))
    res = mlsys(*ARGS, "--registry", registry)
    assert res.exit_code == 2
    assert expected in " ".join(res.stderr.split()) and "Traceback" not in res.stderr
    assert (registry / "models.parquet").read_bytes() == before


def test_without_huggingface_hub_installed(mlsys, registry, monkeypatch):
    monkeypatch.setitem(sys.modules, "huggingface_hub", None)  # import fails as if not installed
    res = mlsys(*ARGS, "--registry", registry)
    assert res.exit_code == 2 and "Traceback" not in res.stderr
    assert "pip install 'mlsys-pipeline[hf]'" in " ".join(res.stderr.split())


@pytest.mark.parametrize(("args", "message"), [
    (("--hf-repo", "not a repo id", "--name", "x", "--release-year", "2024"), "expected a repository id"),
    (("--hf-repo", "a/b", "--csv", "x.csv"), "expected exactly one of them"),
    (("--hf-repo", "a/b", "--name", "x"), "--release-year: required with --hf-repo"),
    (("--csv", "x.csv", "--revision", "main"), "only with --hf-config"),
])
def test_options_are_checked(mlsys, registry, monkeypatch, args, message):
    _fake_hub(monkeypatch, lambda errors, **kw: pytest.fail("no download for bad options"))
    res = mlsys("catalog", "import", *args, "--registry", registry)
    assert res.exit_code == 2 and message in " ".join(res.stderr.split()), res.stderr


def test_the_real_client_s_errors_are_recognised(monkeypatch):
    """The mapping names the installed library's own classes (skipped where it is not installed)."""
    hub = pytest.importorskip("huggingface_hub")
    from pipeline.catalogs.hf_hub import fetch_config
    from pipeline.errors import InputError

    class Response(_Response):  # what the client's error reads of an HTTP response
        headers: dict = {}  # noqa: RUF012
        request = None

        def json(self):
            return {}

    response = Response(403)

    def gated(**kw):
        raise hub.errors.GatedRepoError("gated", response=response)

    monkeypatch.setattr(hub, "hf_hub_download", gated)
    with pytest.raises(InputError, match="the repository is gated"):
        fetch_config("x/y")
