"""Markdown rows from run.py's logs: `python table.py log.jsonl [after.jsonl]` (tag, command, exit, wall, CPU, verdict
or message). With a second log, the first problem line of each tag before and after."""
import json
import sys


def load(path):
    return {d["tag"]: d for d in map(json.loads, open(path))}


def first_problem(d):
    lines = [ln.strip() for ln in d["err_head"] if ln.strip().startswith("- ") or ln.startswith("Error")]
    return (lines[0][2:] if lines and lines[0].startswith("- ") else (lines[0] if lines else "")).replace("|", "\\|")


def cell(text, n=150):
    text = text.replace("|", "\\|").replace("\n", " ")
    return text if len(text) <= n else text[:n - 1] + "…"


if __name__ == "__main__":
    before = load(sys.argv[1])
    after = load(sys.argv[2]) if len(sys.argv) > 2 else None
    if after is None:
        print("| tag | command | exit | wall s | CPU s | first output line |\n|---|---|---|---|---|---|")
        for t, d in before.items():
            print(f"| {t} | `{cell(d['cmd'], 110)}` | {d['rc']} | {d['wall']} | {d['cpu']} | "
                  f"{cell((d['out_head'] or d['err_head'] or [''])[0], 110)} |")
    else:
        print("| tag | command | exit before → after | message before | message after |\n|---|---|---|---|---|")
        for t, d in before.items():
            a = after.get(t, d)
            print(f"| {t} | `{cell(d['cmd'].replace('.venv/bin/mlsys ', 'mlsys '), 100)}` | {d['rc']} → {a['rc']} | "
                  f"{cell(first_problem(d) or (d['out_head'] or [''])[0], 140)} | "
                  f"{cell(first_problem(a) or (a['out_head'] or [''])[0], 140)} |")
