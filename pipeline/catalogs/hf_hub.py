"""Fetch a model's ``config.json`` from the Hugging Face Hub by repository id (issue 13 item 3), for
``mlsys catalog import --hf-repo org/name``; the row is then made by the local-file path
(``hf_config.import_hf_config``).

The client is ``huggingface_hub`` (an optional extra: ``pip install 'mlsys-pipeline[hf]'``), imported
only here and only when a repository is asked for. It reads ``HF_TOKEN`` or the token that
``huggingface-cli login`` stored, and caches the file. Every failure is one ``InputError`` (exit 2)
saying what to do: the client missing, no network, a gated or private repository, a missing one.
"""

from __future__ import annotations

import re
from pathlib import Path

from pipeline.errors import InputError, Problem

REPO_ID = re.compile(r"^[A-Za-z0-9][\w.-]*/[\w.-]+$")
LOGIN = "log in with `huggingface-cli login` (or `hf auth login`), or set HF_TOKEN to a token that may read it"
ELSEWHERE = "or download config.json yourself and import it with --hf-config FILE"


def config_url(repo: str, revision: str | None = None) -> str:
    """The page of the repository's config.json (the row's default ``source_url``)."""
    return f"https://huggingface.co/{repo}/blob/{revision or 'main'}/config.json"


def fetch_config(repo: str, revision: str | None = None) -> Path:
    """The local path of ``repo``'s config.json, downloaded (or from the client's cache)."""
    where = f"--hf-repo {repo}"
    if not REPO_ID.match(repo):
        raise InputError("catalog import", [Problem(None, "--hf-repo", f"got {repo!r}, expected a repository id "
                                                                      "like 'meta-llama/Llama-3.1-8B'")])
    try:
        from huggingface_hub import errors, hf_hub_download
    except ImportError:
        raise InputError("catalog import", [Problem(None, "--hf-repo", (
            "needs the huggingface_hub client, which is not installed: pip install 'mlsys-pipeline[hf]' "
            f"(or pip install huggingface_hub), {ELSEWHERE}"))]) from None
    try:
        return Path(hf_hub_download(repo_id=repo, filename="config.json", revision=revision))
    except Exception as exc:  # the client's errors, mapped below; anything else is re-raised
        message = _explain(exc, errors, repo, revision)
        if message is None:
            raise
        raise InputError("catalog import", [Problem(None, "--hf-repo", f"{where}: {message}")]) from None


def _status(exc: Exception) -> int | None:
    response = getattr(exc, "response", None)
    return getattr(response, "status_code", None)


def _explain(exc: Exception, errors, repo: str, revision: str | None) -> str | None:
    page = f"https://huggingface.co/{repo}"
    if isinstance(exc, errors.GatedRepoError):
        return f"the repository is gated: accept its terms on {page} while logged in, then {LOGIN}"
    if isinstance(exc, errors.RevisionNotFoundError):
        return f"the repository has no revision {revision!r}"
    if isinstance(exc, errors.RepositoryNotFoundError):
        return (f"no repository {repo!r} on the Hub (HTTP {_status(exc) or 404}); check the id on {page}, or, "
                f"if it is private, {LOGIN}")
    if isinstance(exc, errors.LocalEntryNotFoundError) or isinstance(exc, ConnectionError | TimeoutError):
        return ("cannot reach the Hub (no network, or HF_HUB_OFFLINE is set) and config.json is not cached: "
                "download config.json where there is a network and import it with --hf-config FILE")
    if isinstance(exc, errors.EntryNotFoundError):
        return "the repository has no config.json (not a transformers model?)"
    if isinstance(exc, errors.HfHubHTTPError):
        status = _status(exc)
        if status in (401, 403):
            return f"the Hub refused access (HTTP {status}): {LOGIN}"
        return f"the Hub answered HTTP {status}: {str(exc).splitlines()[0] if str(exc) else 'no message'}"
    return None
