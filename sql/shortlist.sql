-- Shortlist: the top configurations of one model that meet a latency and a memory
-- headroom constraint, fastest first (ties: more samples per joule first, then by hardware, precision, step,
-- batch and sequence length, so the rows do not depend on the order DuckDB meets them in).
-- Grain: one row per configuration (hardware x compute_dtype x step x batch x seq_len).
-- reads: node
-- param model: required, a model name from the catalog
-- param workload = inference
-- param step = any: forward, prefill, decode, train or any
-- param max_latency_s = 1e30
-- param min_headroom_bytes = 0
-- param top = 5
with candidates as (
    select * from node
    where model = $model
      and workload = $workload
      and ($step = 'any' or step = $step)
      and is_feasible
      and latency_s <= $max_latency_s
      and memory_headroom_bytes >= $min_headroom_bytes
),

final as (
    select
        row_number() over (
            order by latency_s, samples_per_j desc, hardware, compute_dtype, step, batch, seq_len
        ) as rank,
        hardware, compute_dtype, step, batch, seq_len, latency_s, bound,
        samples_per_s, tokens_per_s, samples_per_j, memory_footprint_bytes,
        memory_headroom_bytes, mfu, eta_compute
    from candidates
)

select * from final
where rank <= $top
order by rank
