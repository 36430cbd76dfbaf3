-- Carbon per token: for one model, the lowest-carbon feasible serving configuration of each
-- accelerator in each region (operational at the region's grid intensity and PUE, plus
-- embodied), per million generated tokens, with its energy and cost; ranked by CO2e.
-- Grain: one row per hardware x region (serving runs with a region axis).
-- reads: serving
-- param model: a model name
-- param max_itl_s = 1.0: latency bound per generated token
with candidates as (
    select *
    from serving
    where model = $model
      and is_feasible
      and region is not null
      and itl_s <= $max_itl_s
    qualify row_number() over (partition by hardware, region order by co2e_per_million_tokens_g) = 1
),

final as (
    select
        hardware, region, tp, pp, compute_dtype, weight_dtype, batch, itl_s,
        co2e_per_million_tokens_g, energy_per_million_tokens_kwh, water_per_million_tokens_l,
        cloud_cost_per_million_output_tokens_usd, power_basis,
        rank() over (order by co2e_per_million_tokens_g) as co2e_rank
    from candidates
)

select * from final
order by co2e_rank
