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

final as (
    select
        model, cluster, gpus, compute_dtype,
        format('DP{} TP{} PP{} v{} mb{} Z{} {}', dp::int, tp::int, pp::int, virtual_stages::int,
               microbatch::int, zero_stage::int, recompute) as layout,
        round(step_time_s, 2) as step_s,
        round(mfu, 3) as mfu,
        bound
    from at_most_gpus
    qualify row_number() over (
        partition by model
        order by step_time_s, cluster, compute_dtype, dp, tp, pp, virtual_stages, microbatch, zero_stage, recompute,
            mfu desc, bound
    ) = 1
)

select * from final
order by model
