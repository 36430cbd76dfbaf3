with names as (
    select (select list(name order by name) from (select distinct name from hardware)) as hw,
           (select list(name order by name) from (select distinct name from precisions)) as dt
),
feasible as (
    select node.*, (list_position(names.hw, hardware) * 64 + list_position(names.dt, compute_dtype))::INTEGER as pair
    from node, names
    where is_feasible
      and (workload <> 'training' or compute_dtype in ('fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'fp4'))
)
select model, workload, step, batch, seq_len, count(*) as n,
    min(latency_s) as l, arg_min(pair, latency_s, 8) as lp,
    min(-samples_per_j) as s, arg_min(pair, -samples_per_j, 8) as sp
from feasible group by all order by all
