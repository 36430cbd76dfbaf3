-- Region comparison: one training job (the fastest feasible layout of a model on a cluster)
-- run in each region of the sweep: energy, CO2e, water and cost of the whole run, ranked
-- by CO2e. Step time does not depend on the region, so the job is the same in every row.
-- Grid intensities computed by different methods (carbon_method: generation, consumption,
-- location; pipeline/catalogs/carbon_methods.py) are not like for like: co2e_rank_in_method
-- ranks within each method, and carbon_method_note says when the rows mix methods (or pass
-- carbon_method to compare one method only).
-- Grain: one row per region (training runs with a region axis).
-- reads: training
-- param model: a model name
-- param cluster = any: a cluster name, or any (the fastest over all clusters)
-- param carbon_method = any: generation, consumption, location, or any (every region, methods flagged)
with job as (
    select cluster, compute_dtype, seq_len, gpus, dp, tp, pp, cp, ep, microbatch, global_batch,
           virtual_stages, zero_stage, recompute, sequence_parallel
    from training
    where model = $model
      and ($cluster = 'any' or cluster = $cluster)
      and is_feasible and region is not null
    -- a tie on step time goes to the first cluster, precision, length, GPUs and layout (limit 1 took either)
    order by step_time_s, cluster, compute_dtype, seq_len, gpus, dp, tp, pp, cp, ep, microbatch, global_batch,
        virtual_stages, zero_stage, recompute, sequence_parallel
    limit 1
),

ranked as (
    select
        t.region, cast(t.carbon_method as varchar) as carbon_method, t.cluster, t.gpus, t.dp, t.tp, t.pp,
        t.compute_dtype, t.train_tokens, coalesce(t.time_to_train_s, t.time_to_train_ideal_s) / 86400 as run_days,
        t.energy_per_run_mwh, t.co2e_per_run_t, t.water_per_run_kl,
        t.cloud_cost_per_run_usd, t.owned_cost_per_run_usd, t.cost_note,
        rank() over (order by t.co2e_per_run_t) as co2e_rank,
        rank() over (partition by t.carbon_method order by t.co2e_per_run_t) as co2e_rank_in_method
    from training as t
    inner join job using (cluster, compute_dtype, seq_len, gpus, dp, tp, pp, cp, ep, microbatch, global_batch,
                          virtual_stages, zero_stage, recompute, sequence_parallel)
    where t.model = $model
      and ($carbon_method = 'any' or cast(t.carbon_method as varchar) = $carbon_method)
),

methods as (
    select count(distinct carbon_method) as n,
           string_agg(distinct coalesce(carbon_method, 'unknown'), ', ' order by coalesce(carbon_method, 'unknown'))
               as names,
           count(*) filter (where carbon_method is null) as unknown
    from ranked
),

final as (
    select r.*,
           case when m.n > 1 or (m.n = 1 and m.unknown > 0)
                then 'mixes carbon methods (' || m.names || '): compare co2e within one method (co2e_rank_in_method)'
                when m.unknown > 0 then 'carbon method unknown (regions catalog row without carbon_method)'
           end as carbon_method_note
    from ranked as r
    cross join methods as m
)

select * from final
order by co2e_rank, region
