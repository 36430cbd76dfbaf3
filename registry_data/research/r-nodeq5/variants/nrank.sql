with names as (
    select (select list(name order by name) from (select distinct name from hardware)) as hw,
           (select list(name order by name) from (select distinct name from precisions)) as dt
),
feasible as (
    select node.*, list_position(names.hw, hardware)::USMALLINT as hr,
        list_position(names.dt, compute_dtype)::UTINYINT as dr
    from node, names
    where is_feasible
      and (workload <> 'training' or compute_dtype in ('fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'fp4'))
),

ranked as (
    select
        model, workload, step, batch, seq_len,
        count(*) as feasible_configurations,
        min({'by': latency_s, 'h': hr, 'd': dr, 'bound': bound})
            filter (where latency_s is not null) as fastest,
        min({'by': -samples_per_j, 'h': hr, 'd': dr, 'bound': bound})
            filter (where samples_per_j is not null) as most_efficient
    from feasible
    group by all
),

final as (
    select
        model, workload, step, batch, seq_len, feasible_configurations,
        names.hw[fastest.h] as fastest_hardware,
        names.dt[fastest.d] as fastest_compute_dtype,
        fastest.by as fastest_latency_s,
        fastest.bound as fastest_bound,
        names.hw[most_efficient.h] as efficient_hardware,
        names.dt[most_efficient.d] as efficient_compute_dtype,
        -most_efficient.by as efficient_samples_per_j,
        most_efficient.bound as efficient_bound
    from ranked, names
)

select * from final
order by model, workload, step, batch, seq_len nulls first
