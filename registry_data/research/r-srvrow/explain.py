"""A chunk's optimized plan as the run collects it (typed): `PYTHONPATH=TREE python explain.py > FILE`."""
import common

ctx = common.chunk_context()
side = ctx.side
print(ctx.shape)
frame = common.typed_chunk(ctx, side.slice(20, 20))
print(frame.explain(optimizations=ctx.flags))
