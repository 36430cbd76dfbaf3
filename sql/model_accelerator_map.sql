-- Model x accelerator map: for each model, step and accelerator of a node run, the fastest
-- feasible configuration at one batch size (its latency, precision and binding term), and
-- null where nothing fits, with the reason of the first refusal. Training counts only at
-- precisions that train (as in design_space_map).
-- Grain: one row per model x workload x step x hardware (node runs); a latency tie (fp16 and bf16 at the same
-- peak) goes to the first precision by name, so the answer does not depend on the order DuckDB meets the rows in.
-- reads: node
-- param batch = 1
-- param workload = inference: inference or training
-- param seq_len = 0: each model's longest sequence length up to this one (its shortest if all are longer);
--   0 takes each model's shortest. CNNs have none and always count.
with rows_ as (
    select *,
        min(seq_len) over (partition by model) as shortest_seq_len,
        max(case when seq_len <= $seq_len then seq_len end) over (partition by model) as longest_within
    from node
    where batch = $batch
      and workload = $workload
      and (workload <> 'training' or compute_dtype in ('fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'fp4'))
),

chosen as (
    select * from rows_
    where seq_len is null
       or seq_len = case when $seq_len = 0 then shortest_seq_len else coalesce(longest_within, shortest_seq_len) end
),

per_hardware as (
    select
        model, workload, step, hardware,
        any_value(vendor) as vendor, any_value(category) as category, any_value(model_type) as model_type,
        any_value(seq_len) as seq_len,
        -- the smallest (latency, precision, bound) struct, as in design_space_map: arg_min took either tied row
        min({'by': latency_s, 'compute_dtype': compute_dtype, 'bound': bound})
            filter (where is_feasible and latency_s is not null) as fastest,
        case when count(*) filter (where is_feasible) = 0 then min(infeasible_reason) end as infeasible_reason
    from chosen
    group by model, workload, step, hardware
)

select
    model, workload, step, hardware, vendor, category, model_type, seq_len,
    fastest.by as latency_s, fastest.compute_dtype as compute_dtype, fastest.bound as bound, infeasible_reason
from per_hardware
order by model, workload, step, hardware
