"""Walls: modules of formulas, one function per output column (see ``pipeline.formulas``),
one module per wall or domain. Pure column formulas: nothing here reads a catalog, a spec or
a file.

Importing this package registers every formula: the node study's in ``formulas.REGISTRY``,
the serving and training studies' own in ``pipeline.walls.registries``.
"""

from pipeline.walls import (  # noqa: F401
    architecture,
    attention_pattern,
    batching,
    burst,
    checkpoint,
    communication,
    complexity,
    compute,
    data,
    disaggregated,
    expert_parallel,
    fidelity,
    fragility,
    locality,
    lora,
    memory,
    operations,
    operators,
    prefix_cache,
    sensitivity,
    serving,
    serving_memory,
    serving_operations,
    serving_sensitivity,
    software,
    speculative,
    streaming,
    synthesis,
    tail_latency,
    training_compute,
    training_memory,
    training_operations,
    training_sensitivity,
    training_step,
)
