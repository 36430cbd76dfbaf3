with names as (
    select (select list(name order by name) from (select distinct name from hardware)) as hw,
           (select list(name order by name) from (select distinct name from precisions)) as dt,
           ['bubble', 'capacity', 'compute', 'host link', 'input pipeline', 'memory', 'network', 'overhead'] as bounds
),

feasible as (
    select model, workload, step, batch, seq_len, latency_s, samples_per_j,
        (coalesce(list_position(names.hw, hardware), error('no rank for hardware ' || hardware))::BIGINT
            * (len(names.dt) + 1) + coalesce(list_position(names.dt, compute_dtype),
                                             error('no rank for compute_dtype ' || compute_dtype)))
        * (len(names.bounds) + 1) + coalesce(list_position(names.bounds, bound), error('no code for bound ' || bound))
            as code
    from node, names
    where is_feasible
      and (workload <> 'training' or compute_dtype in ('fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'fp4'))
),

candidates as materialized (
    select
        model, workload, step, batch, seq_len,
        count(*) as feasible_configurations,
        min(latency_s, 8) filter (where latency_s is not null) as lv,
        arg_min(code, latency_s, 8) filter (where latency_s is not null) as lc,
        min(-samples_per_j, 8) filter (where samples_per_j is not null) as ev,
        arg_min(code, -samples_per_j, 8) filter (where samples_per_j is not null) as ec
    from feasible
    group by all
),

overflow as (
    select model, workload, step, batch, seq_len from candidates
    where (len(lv) = 8 and lv[8] = lv[1]) or (len(ev) = 8 and ev[8] = ev[1])
),

exact as (
    select
        n.model, n.workload, n.step, n.batch, n.seq_len,
        min({'by': latency_s, 'hardware': hardware, 'compute_dtype': compute_dtype, 'bound': bound})
            filter (where latency_s is not null) as fastest,
        min({'by': -samples_per_j, 'hardware': hardware, 'compute_dtype': compute_dtype, 'bound': bound})
            filter (where samples_per_j is not null) as most_efficient
    from node n join overflow o
        on n.model = o.model and n.workload = o.workload and n.step = o.step and n.batch = o.batch
        and n.seq_len is not distinct from o.seq_len
    where is_feasible
      and (n.workload <> 'training' or compute_dtype in ('fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'fp4'))
    group by all
),

decoded as (
    select c.*, x.fastest, x.most_efficient,
        list_min(lc[1:len(list_filter(lv, lambda v: v = lv[1]))]) as fc,
        list_min(ec[1:len(list_filter(ev, lambda v: v = ev[1]))]) as e_c,
        len(names.dt) + 1 as nd, len(names.bounds) + 1 as nb, names.*
    from candidates c cross join names
    left join exact x on c.model = x.model and c.workload = x.workload and c.step = x.step and c.batch = x.batch
        and c.seq_len is not distinct from x.seq_len
),

final as (
    select
        model, workload, step, batch, seq_len, feasible_configurations,
        coalesce(fastest.hardware, hw[fc // nb // nd]) as fastest_hardware,
        coalesce(fastest.compute_dtype, dt[fc // nb % nd]) as fastest_compute_dtype,
        coalesce(fastest.by, lv[1]) as fastest_latency_s,
        coalesce(fastest.bound, bounds[fc % nb]) as fastest_bound,
        coalesce(most_efficient.hardware, hw[e_c // nb // nd]) as efficient_hardware,
        coalesce(most_efficient.compute_dtype, dt[e_c // nb % nd]) as efficient_compute_dtype,
        -coalesce(most_efficient.by, ev[1]) as efficient_samples_per_j,
        coalesce(most_efficient.bound, bounds[e_c % nb]) as efficient_bound
    from decoded
)

select * from final
order by model, workload, step, batch, seq_len nulls first
