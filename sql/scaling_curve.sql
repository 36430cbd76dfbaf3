-- Scaling curve: for a model on each cluster, the fastest feasible layout at each GPU count
-- (same global batch, sequence length and dtype), its throughput per GPU, its scaling
-- efficiency against one node, and its per-GPU throughput relative to the smallest GPU
-- count on the curve (weak-scaling view of the whole sweep).
-- Grain: one row per cluster x compute_dtype x seq_len x global_batch x gpus (training runs); of layouts at the
-- same step time the first by dp, tp, pp, cp, ep, microbatch, virtual stages, ZeRO stage and recompute.
-- reads: training
-- param model: a model name
-- param cluster = any: a cluster name, or any
with best as (
    select *
    from training
    where model = $model
      and ($cluster = 'any' or cluster = $cluster)
      and is_feasible
    qualify row_number() over (
        partition by cluster, compute_dtype, seq_len, global_batch, gpus
        order by step_time_s, dp, tp, pp, cp, ep, microbatch, virtual_stages, zero_stage, recompute,
            sequence_parallel, mfu desc, bound
    ) = 1
),

final as (
    select
        cluster, compute_dtype, seq_len, global_batch, gpus,
        dp, tp, pp, cp, ep, microbatch, virtual_stages, zero_stage, recompute,
        step_time_s, tokens_per_s, tokens_per_s / gpus as tokens_per_s_per_gpu, mfu, scaling_efficiency,
        (tokens_per_s / gpus) / first_value(tokens_per_s / gpus) over (
            partition by cluster, compute_dtype, seq_len, global_batch order by gpus
        ) as per_gpu_vs_smallest,
        bound
    from best
)

select * from final
order by cluster, compute_dtype, seq_len, global_batch, gpus
