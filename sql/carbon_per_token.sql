-- Carbon per token: for one model, the lowest-carbon feasible serving configuration of each
-- accelerator in each region (operational at the region's grid intensity and PUE, plus
-- embodied), per million generated tokens, with its energy and cost; ranked by CO2e.
-- Regions whose grid intensities were computed by different methods (carbon_method) are not
-- like for like: co2e_rank_in_method ranks within each method and carbon_method_note says when
-- the rows mix methods (or pass carbon_method to keep one).
-- Grain: one row per hardware x region (serving runs with a region axis).
-- reads: serving
-- param model: a model name
-- param max_itl_s = 1.0: latency bound per generated token
-- param carbon_method = any: generation, consumption, location, or any (every region, methods flagged)
with candidates as (
    select *
    from serving
    where model = $model
      and is_feasible
      and region is not null
      and itl_s <= $max_itl_s
      and ($carbon_method = 'any' or cast(carbon_method as varchar) = $carbon_method)
    -- a tie on CO2e goes to the first layout, precisions and batch (then the faster, cheaper row)
    qualify row_number() over (
        partition by hardware, region
        order by co2e_per_million_tokens_g, tp, pp, compute_dtype, weight_dtype, kv_dtype, batch, itl_s,
            cloud_cost_per_million_output_tokens_usd, energy_per_million_tokens_kwh, water_per_million_tokens_l,
            power_basis
    ) = 1
),

ranked as (
    select
        hardware, region, cast(carbon_method as varchar) as carbon_method, tp, pp, compute_dtype, weight_dtype,
        batch, itl_s, co2e_per_million_tokens_g, energy_per_million_tokens_kwh, water_per_million_tokens_l,
        cloud_cost_per_million_output_tokens_usd, power_basis,
        rank() over (order by co2e_per_million_tokens_g) as co2e_rank,
        rank() over (partition by carbon_method order by co2e_per_million_tokens_g) as co2e_rank_in_method
    from candidates
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
order by co2e_rank, hardware, region
