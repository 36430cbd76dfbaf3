-- Parallelism ranking: for a model on a cluster, every feasible layout at each GPU count and
-- global batch, fastest step first, with its MFU, the binding term and the step-time breakdown.
-- "DP=32 or TP=8?" is the order of rows within one (gpus, global_batch, seq_len, dtype) group.
-- Grain: one row per feasible layout (training runs). Layouts at the same step time and memory rank by dp, tp,
-- pp, cp, ep, microbatch, virtual stages, ZeRO stage, recompute and sequence parallelism, in that order.
-- reads: training
-- param model: a model name
-- param cluster = any: a cluster name, or any
-- param gpus = 0: 0 keeps every GPU count
-- param top = 10: layouts kept per group
with candidates as (
    select *
    from training
    where model = $model
      and ($cluster = 'any' or cluster = $cluster)
      and ($gpus = 0 or gpus = $gpus)
      and is_feasible
),

ranked as (
    select
        *,
        row_number() over (
            partition by cluster, compute_dtype, seq_len, gpus, global_batch
            order by step_time_s, memory_per_gpu_bytes, dp, tp, pp, cp, ep, microbatch, virtual_stages, zero_stage,
                recompute, sequence_parallel
        ) as rank
    from candidates
),

final as (
    select
        cluster, compute_dtype, seq_len, gpus, global_batch, rank,
        dp, tp, pp, cp, ep, microbatch, virtual_stages, zero_stage, recompute, sequence_parallel,
        step_time_s, tokens_per_s, mfu, hfu, scaling_efficiency, bound,
        compute_time_s, tp_comm_time_s, pipeline_bubble_time_s, pp_p2p_time_s, dp_exposed_time_s,
        memory_per_gpu_bytes / 1e9 as memory_per_gpu_gb
    from ranked
    where rank <= $top
)

select * from final
order by cluster, compute_dtype, seq_len, gpus, global_batch, rank
