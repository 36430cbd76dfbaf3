"""cProfile of a block's first build (the 10 M bench's first block), by internal time (threads: only the main
thread's calls are seen; the table threads' collects show as lock waits)."""
import cProfile, pstats, sys
import common as C  # r-srvspd5's helpers by path (PYTHONPATH=TREE:.)
from pipeline.runs import sizing
from pipeline.runs.typed import text_enums
from pipeline.studies import per_key
per_key._each = lambda function, items, threaded: [function(item) for item in items]
p = C.prepared(10_000_000)
block, enums = next(sizing.model_blocks(p.space, "serving", True)), text_enums(p.catalogs, "serving")
C.first_build_cpu(p, block, enums)
pr = cProfile.Profile(); pr.enable(); c = C.first_build_cpu(p, block, enums); pr.disable()
print("first build", c)
pstats.Stats(pr).sort_stats("tottime").print_stats(15)
st = pstats.Stats(pr); st.print_callers("inputs_used"); st.print_callers("to_struct"); st.print_callers("rechunk")
