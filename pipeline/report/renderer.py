"""``scatter.render`` in a child process started ahead (``Renderer``), importing neither polars nor the pipeline,
so a command can start it before its own imports: vl-convert's engine (~0.35 CPU s the first time a process
draws) then starts on the other core. vl-convert 1.9 holds the GIL while it draws, so the warm-up thread this
replaces stalled the validation run's Python as long (loading the catalogs, 0.05 s alone, took 0.36 s beside it)."""

from __future__ import annotations

import subprocess
import sys

# The child: vl-convert alone, its engine started on the empty chart of argv[1], then the spec read from stdin drawn
# as ``scatter.render`` draws it, written as the SVG's length in bytes, a newline, the SVG and the PNG; an empty
# stdin (the parent never rendering, or gone) ends it without output.
CHILD = """import sys, vl_convert as vlc
vlc.vegalite_to_svg(sys.argv[1])
spec = sys.stdin.read()
if spec:
    svg = vlc.vegalite_to_svg(spec).encode()
    sys.stdout.buffer.write(b"%d\\n" % len(svg) + svg + vlc.svg_to_png(svg.decode(), scale=1.5))
"""
WARM_UP = '{"data": {"values": []}, "mark": "point"}'  # an empty chart, to start the engine on


class Renderer:
    """A child process drawing one Vega-Lite chart (``render``), started when made."""

    def __init__(self) -> None:
        self.child = subprocess.Popen([sys.executable, "-c", CHILD, WARM_UP], stdin=subprocess.PIPE,
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)

    def render(self, spec: dict) -> tuple[str, bytes]:
        """``scatter.render(spec)`` by the child, or in this process where the child failed (vl-convert's error,
        if any, is then raised here with its context)."""
        from pipeline.report import scatter

        out, _ = self.child.communicate(scatter.to_json(spec).encode())
        head, _, rest = out.partition(b"\n")
        if self.child.returncode != 0 or not head.isdigit() or len(rest) <= int(head):
            return scatter.render(spec)
        return rest[:int(head)].decode(), rest[int(head):]

    def stop(self) -> None:
        """End the child if it still runs (its parent failed before ``render``)."""
        if self.child.poll() is None:
            self.child.communicate(b"")
