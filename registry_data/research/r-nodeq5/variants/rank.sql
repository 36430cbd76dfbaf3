with names as (
    select (select list(name order by name) from (select distinct name from hardware)) as hw,
           (select list(name order by name) from (select distinct name from precisions)) as dt
),
feasible as (
    select node.*, list_position(names.hw, hardware) as hr, list_position(names.dt, compute_dtype) as dr
    from node, names
    where is_feasible
      and (workload <> 'training' or compute_dtype in ('fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'fp4'))
),

ranked as (
    select
        model, workload, step, batch, seq_len,
        count(*) as feasible_configurations,
        arg_min({'by': latency_s, 'hardware': hardware, 'compute_dtype': compute_dtype, 'bound': bound},
                {'by': latency_s, 'h': hr, 'd': dr})
            filter (where latency_s is not null) as fastest,
        arg_min({'by': -samples_per_j, 'hardware': hardware, 'compute_dtype': compute_dtype, 'bound': bound},
                {'by': -samples_per_j, 'h': hr, 'd': dr})
            filter (where samples_per_j is not null) as most_efficient
    from feasible
    group by all
),

final as (
    select
        model, workload, step, batch, seq_len, feasible_configurations,
        fastest.hardware as fastest_hardware,
        fastest.compute_dtype as fastest_compute_dtype,
        fastest.by as fastest_latency_s,
        fastest.bound as fastest_bound,
        most_efficient.hardware as efficient_hardware,
        most_efficient.compute_dtype as efficient_compute_dtype,
        -most_efficient.by as efficient_samples_per_j,
        most_efficient.bound as efficient_bound
    from ranked
)

select * from final
order by model, workload, step, batch, seq_len nulls first
