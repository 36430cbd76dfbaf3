select model, workload, step, batch, seq_len, count(*) as n
from node
where is_feasible
  and (workload <> 'training' or compute_dtype in ('fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'fp4'))
group by all order by all
