with names as (
    select (select list(name order by name) from (select distinct name from hardware)) as hw,
           (select list(name order by name) from (select distinct name from precisions)) as dt
),
feasible as (
    select node.*, (list_position(names.hw, hardware) * 64 + list_position(names.dt, compute_dtype))::HUGEINT as pair
    from node, names
    where is_feasible
      and (workload <> 'training' or compute_dtype in ('fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'fp4'))
),
ranked as (
    select
        model, workload, step, batch, seq_len,
        count(*) as feasible_configurations,
        arg_min(bound, (latency_s * 1208925819614629174706176)::HUGEINT * 65536 + pair) as fastest_bound,
        min((latency_s * 1208925819614629174706176)::HUGEINT * 65536 + pair) as fastest,
        min(latency_s) as fastest_latency_s,
        arg_min(bound, (-samples_per_j * 1208925819614629174706176)::HUGEINT * 65536 + pair) as efficient_bound,
        min((-samples_per_j * 1208925819614629174706176)::HUGEINT * 65536 + pair) as most_efficient,
        min(-samples_per_j) as efficient_by
    from feasible
    group by all
),
final as (
    select
        model, workload, step, batch, seq_len, feasible_configurations,
        names.hw[(((fastest % 65536 + 65536) % 65536) // 64)::BIGINT] as fastest_hardware,
        names.dt[(((fastest % 65536 + 65536) % 65536) % 64)::BIGINT] as fastest_compute_dtype,
        fastest_latency_s,
        fastest_bound,
        names.hw[(((most_efficient % 65536 + 65536) % 65536) // 64)::BIGINT] as efficient_hardware,
        names.dt[(((most_efficient % 65536 + 65536) % 65536) % 64)::BIGINT] as efficient_compute_dtype,
        -efficient_by as efficient_samples_per_j,
        efficient_bound
    from ranked, names
)
select * from final
order by model, workload, step, batch, seq_len nulls first
