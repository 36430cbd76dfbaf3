-- Bottlenecks: how often each accelerator is compute-, memory- or launch-overhead-bound
-- across the sweep, and how often the configuration does not fit at all.
-- Shares of feasible configurations; infeasible share of all.
-- Grain: one row per hardware x workload.
-- reads: node
with counted as (
    select
        hardware, workload,
        count(*) as configurations,
        count(*) filter (where is_feasible) as feasible,
        count(*) filter (where bound = 'compute') as compute_bound,
        count(*) filter (where bound = 'memory') as memory_bound,
        count(*) filter (where bound = 'overhead') as overhead_bound
    from node
    group by all
),

final as (
    select
        hardware, workload, configurations, feasible,
        round(compute_bound / nullif(feasible, 0), 3) as compute_bound_share,
        round(memory_bound / nullif(feasible, 0), 3) as memory_bound_share,
        round(overhead_bound / nullif(feasible, 0), 3) as overhead_bound_share,
        round(1 - feasible / configurations, 3) as infeasible_share
    from counted
)

select * from final
order by hardware, workload
