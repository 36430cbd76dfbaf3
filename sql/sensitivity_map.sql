-- Sensitivity map: which input binds (moves the headline time most per 1 % change: wall 21),
-- as a share of the feasible configurations of each accelerator and model, with the median
-- elasticity of each input. Works on node runs (latency) and serving runs (ITL).
-- Grain: one row per hardware x model x binding_input.
-- reads: $table
-- param table = node: node or serving
with rows as (
    select hardware, model, binding_input, elasticity_peak_flop_per_s, elasticity_memory_bandwidth
    from query_table($table)
    where binding_input is not null
),

final as (
    select
        hardware, model, binding_input,
        count(*) as configurations,
        count(*) / sum(count(*)) over (partition by hardware, model) as share,
        median(elasticity_peak_flop_per_s) as median_elasticity_peak,
        median(elasticity_memory_bandwidth) as median_elasticity_bandwidth
    from rows
    group by hardware, model, binding_input
)

select * from final
order by hardware, model, share desc, binding_input
