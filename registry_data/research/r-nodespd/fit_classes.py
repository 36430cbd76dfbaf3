"""The kernel-fit η groups' hardware keys and their classes on the bench spec's hardware side: whole side, fitted cut,
unfitted cut; with eta_compute NULL where the row has a fit; without framework_eta_multiplier (README, "forms not
taken"): ``PYTHONPATH=. python .../fit_classes.py``."""
import polars as pl
from pipeline import runs
from pipeline.bench import synthetic_spec
from pipeline.spec import parse_spec
from pipeline.studies import node, node_graphs
p = runs.prepare(parse_spec(synthetic_spec(11), "bench"))
space = p.space
side = space.hardware_side
cuts = node.fit_cuts(side, "hardware")
print("hardware side", side.height, "cuts", [(c.height, len(a)) for c, a in cuts])
for name in node.SHARED:
    hkeys = node_graphs.keys_read(name, {c: space.units.get(c) for c in side.columns})
    mkeys = node_graphs.keys_read(name, {c: space.units.get(c) for c in space.model_side.columns})
    print(name, "hkeys", hkeys, "| mkeys", mkeys)
    print("   classes whole", side.select(hkeys).unique().height, "fitted", cuts[0][0].select(hkeys).unique().height,
          "unfitted", cuts[1][0].select(hkeys).unique().height)
print("---- eta_compute nulled where gemm_units is not null (attention: where attention_ceiling is not null)")
for name in node.SHARED:
    hkeys = list(node_graphs.keys_read(name, {c: space.units.get(c) for c in side.columns}))
    gate = "attention_ceiling" if "attention_ceiling" in hkeys else "gemm_units"
    fr = cuts[0][0].with_columns(pl.when(pl.col(gate).is_null()).then(pl.col("eta_compute")).alias("eta_compute"))
    print(name, "fitted classes", cuts[0][0].select(hkeys).unique().height, "->", fr.select(hkeys).unique().height)
print(side.columns)
print("---- also without framework_eta_multiplier")
for name in node.SHARED[:1] + node.SHARED[-1:]:
    hkeys = [k for k in node_graphs.keys_read(name, {c: space.units.get(c) for c in side.columns})
             if k != "framework_eta_multiplier"]
    gate = "attention_ceiling" if "attention_ceiling" in hkeys else "gemm_units"
    fr = cuts[0][0].with_columns(pl.when(pl.col(gate).is_null()).then(pl.col("eta_compute")).alias("eta_compute"))
    print(name, "->", fr.select(hkeys).unique().height)
