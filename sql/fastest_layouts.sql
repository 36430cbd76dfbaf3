-- Fastest layouts: for each model, the fastest feasible training layout at the largest GPU
-- count any feasible layout of the run uses, on any cluster, with its MFU and binding term
-- (the map `mlsys sweep` prints after a training sweep).
-- Grain: one row per model (training runs); a tie on step time goes to the first cluster, precision and layout
-- (dp, tp, pp, virtual stages, microbatch, ZeRO stage, recompute), then the higher MFU.
-- reads: training
-- the view read once (not materialized: each use inlined, so the gpus filter still reaches its scan): a second
-- `from training` bound the view's SELECT again (CHANGELOG queries)
with feasible as not materialized (
    select * from training where is_feasible
),

at_most_gpus as (
    select *
    from feasible
    where gpus = (select max(gpus) from feasible)
),

fastest as (  -- the smallest struct: one pass per model, no sort (a window ordered on these keys cost ~40 % more)
    select
        model,
        min({'by': step_time_s, 'cluster': cluster, 'compute_dtype': compute_dtype, 'dp': dp, 'tp': tp, 'pp': pp,
             'virtual_stages': virtual_stages, 'microbatch': microbatch, 'zero_stage': zero_stage,
             'recompute': recompute, 'mfu': -mfu, 'bound': bound, 'gpus': gpus}) as f
    from at_most_gpus
    group by model
),

final as (
    select
        model, f.cluster as cluster, f.gpus as gpus, f.compute_dtype as compute_dtype,
        format('DP{} TP{} PP{} v{} mb{} Z{} {}', f.dp::int, f.tp::int, f.pp::int, f.virtual_stages::int,
               f.microbatch::int, f.zero_stage::int, f.recompute) as layout,
        round(f.by, 2) as step_s,
        round(-f.mfu, 3) as mfu,
        f.bound as bound
    from fastest
)

select * from final
order by model
