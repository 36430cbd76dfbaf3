-- Region comparison: one training job (the fastest feasible layout of a model on a cluster)
-- run in each region of the sweep: energy, CO2e, water and cost of the whole run, ranked
-- by CO2e. Step time does not depend on the region, so the job is the same in every row.
-- Grain: one row per region (training runs with a region axis).
-- reads: training
-- param model: a model name
-- param cluster = any: a cluster name, or any (the fastest over all clusters)
with job as (
    select cluster, compute_dtype, seq_len, gpus, dp, tp, pp, cp, ep, microbatch, global_batch,
           virtual_stages, zero_stage, recompute, sequence_parallel
    from training
    where model = $model
      and ($cluster = 'any' or cluster = $cluster)
      and is_feasible and region is not null
    order by step_time_s
    limit 1
),

final as (
    select
        t.region, t.cluster, t.gpus, t.dp, t.tp, t.pp, t.compute_dtype,
        t.train_tokens, coalesce(t.time_to_train_s, t.time_to_train_ideal_s) / 86400 as run_days,
        t.energy_per_run_mwh, t.co2e_per_run_t, t.water_per_run_kl,
        t.cloud_cost_per_run_usd, t.owned_cost_per_run_usd, t.cost_note,
        rank() over (order by t.co2e_per_run_t) as co2e_rank
    from training as t
    inner join job using (cluster, compute_dtype, seq_len, gpus, dp, tp, pp, cp, ep, microbatch, global_batch,
                          virtual_stages, zero_stage, recompute, sequence_parallel)
    where t.model = $model
)

select * from final
order by co2e_rank, region
