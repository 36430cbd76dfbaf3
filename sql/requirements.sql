-- Requirements (wall 22, synthesis): for a model and batch, the peak FLOP/s or the memory bandwidth
-- that alone brings each configuration to the run's synthesis target (analysis.synthesis_target_fraction
-- x its predicted latency), and the catalog accelerators that meet one of them while keeping at least
-- the other resource and enough memory. Works on node runs.
-- Grain: one row per configuration x accelerator that meets its needs (null: none in the catalog).
-- reads: node
-- param model: a model name
-- param batch = 1
-- param step = any: forward, prefill, decode, train, or any
with needs as (
    select hardware, model, step, compute_dtype, batch, seq_len, latency_s, target_latency_s, peak_flop_per_s,
           memory_bandwidth_bytes_per_s, memory_footprint_bytes, required_peak_flop_per_s,
           required_memory_bandwidth_bytes_per_s, synthesis_note
    from node
    where model = $model
      and batch = $batch
      and ($step = 'any' or step = $step)
      and is_feasible
),

candidates as (
    select name, memory_capacity_bytes, memory_bandwidth_bytes_per_s,
           unnest([peak_fp32_flop_per_s, peak_tf32_flop_per_s, peak_fp16_flop_per_s, peak_bf16_flop_per_s,
                   peak_fp8_flop_per_s, peak_int8_flop_per_s, peak_fp4_flop_per_s]) as peak,
           unnest(['fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'int8', 'fp4']) as dtype
    from hardware
),

final as (
    select
        n.hardware as from_hardware, n.step, n.compute_dtype, n.seq_len, n.latency_s, n.target_latency_s,
        n.required_peak_flop_per_s, n.required_memory_bandwidth_bytes_per_s, n.synthesis_note,
        c.name as meets_with, c.peak as candidate_peak_flop_per_s,
        c.memory_bandwidth_bytes_per_s as candidate_bandwidth_bytes_per_s
    from needs as n
    left join candidates as c
        on c.dtype = n.compute_dtype
        and c.memory_capacity_bytes >= n.memory_footprint_bytes
        -- one requirement met, and at least as much of the other resource as the original
        and ((c.memory_bandwidth_bytes_per_s >= n.required_memory_bandwidth_bytes_per_s
              and c.peak >= n.peak_flop_per_s)
             or (c.peak >= n.required_peak_flop_per_s
                 and c.memory_bandwidth_bytes_per_s >= n.memory_bandwidth_bytes_per_s))
)

select * from final
order by from_hardware, step, compute_dtype, seq_len, meets_with, latency_s, target_latency_s,
    required_peak_flop_per_s, required_memory_bandwidth_bytes_per_s
