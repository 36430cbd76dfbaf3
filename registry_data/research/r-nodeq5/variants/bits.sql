create or replace temp macro ordered(x) as (
    case when isnan(x) then 9223372036854775807
         else (((x + 0.0)::BIT)::BIGINT) end
);
create or replace temp macro total_order(b) as (case when b < 0 then -1 - (b & 9223372036854775807) else b end);
with names as (
    select (select list(name order by name) from (select distinct name from hardware)) as hw,
           (select list(name order by name) from (select distinct name from precisions)) as dt
),
feasible as (
    select node.*, names.hw, names.dt,
        (list_position(names.hw, hardware) * (len(names.dt) + 1) + list_position(names.dt, compute_dtype))::HUGEINT
            as pair, ((len(names.hw) + 1) * (len(names.dt) + 1))::HUGEINT as pairs
    from node, names
    where is_feasible
      and (workload <> 'training' or compute_dtype in ('fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'fp4'))
),

ranked as (
    select
        model, workload, step, batch, seq_len,
        count(*) as feasible_configurations,
        any_value(hw) as hw, any_value(dt) as dt, any_value(pairs) as pairs,
        min(total_order(ordered(latency_s))::HUGEINT * pairs + pair) as fastest,
        arg_min(bound, total_order(ordered(latency_s))::HUGEINT * pairs + pair) as fastest_bound,
        min(latency_s) as fastest_latency_s,
        min(total_order(ordered(-samples_per_j))::HUGEINT * pairs + pair) as most_efficient,
        arg_min(bound, total_order(ordered(-samples_per_j))::HUGEINT * pairs + pair) as efficient_bound,
        min(-samples_per_j) as efficient_by
    from feasible
    group by model, workload, step, batch, seq_len
),

final as (
    select
        model, workload, step, batch, seq_len, feasible_configurations,
        hw[((((fastest % pairs) + pairs) % pairs) // (len(dt) + 1))::BIGINT] as fastest_hardware,
        dt[((((fastest % pairs) + pairs) % pairs) % (len(dt) + 1))::BIGINT] as fastest_compute_dtype,
        fastest_latency_s,
        fastest_bound,
        hw[((((most_efficient % pairs) + pairs) % pairs) // (len(dt) + 1))::BIGINT] as efficient_hardware,
        dt[((((most_efficient % pairs) + pairs) % pairs) % (len(dt) + 1))::BIGINT] as efficient_compute_dtype,
        -efficient_by as efficient_samples_per_j,
        efficient_bound
    from ranked
)

select * from final
order by model, workload, step, batch, seq_len nulls first
