"""README.md and docs/*.md: every relative link resolves to a file and, with an anchor, to a heading of that file
(GitHub's anchors); and CI runs the README's test command exactly."""
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]\n]*\]\(([^)\s]+)\)")
FENCE = re.compile(r"^\s*(```|~~~)")


def prose(text: str) -> list[str]:
    """The lines of a Markdown text outside fenced code blocks."""
    lines, fenced = [], False
    for line in text.splitlines():
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced:
            lines.append(line)
    return lines


def anchors(text: str) -> set[str]:
    """GitHub's heading anchors: lower case, every character but word characters, '-' and ' ' dropped, spaces as
    '-', a repeated anchor suffixed -1, -2, ..."""
    repeats: dict[str, int] = {}
    found = set()
    for line in prose(text):
        heading = re.match(r"#{1,6} +(.*?) *#* *$", line)
        if heading:
            slug = re.sub(r"[^\w\- ]", "", heading.group(1).lower()).replace(" ", "-")
            found.add(f"{slug}-{repeats[slug]}" if slug in repeats else slug)
            repeats[slug] = repeats.get(slug, 0) + 1
    return found


def links_in(text: str) -> list[tuple[str, str]]:
    """(target, the line it is on) of each link outside fenced code blocks that is not a URL."""
    return [(m.group(1), line) for line in prose(text) for m in LINK.finditer(line)
            if not re.match(r"[a-z]+:", m.group(1))]


def links(path: Path) -> list[tuple[str, str]]:
    return links_in(path.read_text(encoding="utf-8"))


def test_anchors_follow_githubs_rule():
    text = "# A b\n## Deployment search: `mlsys serve-plan`\n## A b\n```\n# not a heading\n```\n## Walls 16–18, 20"
    assert anchors(text) == {"a-b", "deployment-search-mlsys-serve-plan", "a-b-1", "walls-1618-20"}


def test_relative_links_are_found():
    text = "[a](docs/x.md#b) [c](https://example.org) [d](#e)\n```\n[f](g)\n```\n"
    assert [t for t, _ in links_in(text)] == ["docs/x.md#b", "#e"]
    assert "docs/measurement-history.md" in [t for t, _ in links(ROOT / "README.md")]


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: p.name)
def test_every_relative_link_resolves(document):
    broken = []
    for target, line in links(document):
        file, _, anchor = target.partition("#")
        resolved = (document.parent / file).resolve() if file else document
        if not resolved.exists():
            broken.append(f"{target}: no file {resolved}  ({line.strip()[:80]})")
        elif anchor and resolved.suffix == ".md" and anchor not in anchors(resolved.read_text(encoding="utf-8")):
            broken.append(f"{target}: no heading with that anchor in {resolved.name}  ({line.strip()[:80]})")
    assert not broken, "\n".join(broken)


def test_ci_runs_the_readme_test_command():
    """README, "The two commands": the second command is what `.ci/run` runs."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The two commands", 1)[1].split("\n## ", 1)[0]
    commands = re.findall(r"```sh\n(.*?)\n```", section, re.S)
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()[-1]
    assert commands[1] == ci
