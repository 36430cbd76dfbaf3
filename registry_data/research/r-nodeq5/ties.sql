-- How many of the map's groups tie at the minimum (two smallest latencies, or -samples_per_j, equal), and their rows:
-- the groups a tie-break by hardware and precision decides.
with f as (
    select * from node
    where is_feasible and (workload <> 'training' or compute_dtype in ('fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'fp4'))
),
g as (
    select model, workload, step, batch, seq_len, count(*) as n,
        arg_min(latency_s, latency_s, 2) as l, arg_min(-samples_per_j, -samples_per_j, 2) as s
    from f group by all
)
select count(*) as groups,
    count(*) filter (where len(l) = 2 and l[1] = l[2]) as latency_ties,
    count(*) filter (where len(s) = 2 and s[1] = s[2]) as efficiency_ties,
    count(*) filter (where (len(l) = 2 and l[1] = l[2]) or (len(s) = 2 and s[1] = s[2])) as either,
    sum(n) filter (where (len(l) = 2 and l[1] = l[2]) or (len(s) = 2 and s[1] = s[2])) as their_rows
from g
