-- Cost frontier: for one model, the Pareto frontier of inter-token latency against the
-- rented cost per million generated tokens, over every accelerator, layout, precision
-- and batch of a serving run: configurations no other configuration beats on both.
-- Grain: one row per frontier configuration (serving runs with a region axis). Of configurations tied on both,
-- the first by hardware, region, layout, precisions, batch and lengths (then its other columns) stays.
-- reads: serving
-- param model: a model name
-- param region = any: a region name, or any
with candidates as (
    select *
    from serving
    where model = $model
      and ($region = 'any' or region = $region)
      and is_feasible
      and cloud_cost_per_million_output_tokens_usd is not null
),

ranked as (
    select
        *,
        min(cloud_cost_per_million_output_tokens_usd) over (
            order by itl_s, cloud_cost_per_million_output_tokens_usd, hardware, region, tp, pp, replicas,
                compute_dtype, weight_dtype, kv_dtype, batch, prompt_len, output_len, ttft_s, tokens_per_s,
                cloud_cost_per_million_prompt_tokens_usd, owned_cost_per_million_output_tokens_usd, cloud_offer
            rows between unbounded preceding and 1 preceding
        ) as best_faster_cost
    from candidates
),

final as (
    select
        hardware, region, tp, pp, replicas, compute_dtype, weight_dtype, kv_dtype, batch, prompt_len, output_len,
        itl_s, ttft_s, tokens_per_s,
        cloud_cost_per_million_output_tokens_usd, cloud_cost_per_million_prompt_tokens_usd,
        owned_cost_per_million_output_tokens_usd, cloud_offer
    from ranked
    where best_faster_cost is null or cloud_cost_per_million_output_tokens_usd < best_faster_cost
)

select * from final
order by itl_s, cloud_cost_per_million_output_tokens_usd,
    hardware, region, tp, pp, replicas, compute_dtype, weight_dtype, kv_dtype, batch, prompt_len, output_len,
    ttft_s, tokens_per_s, cloud_cost_per_million_prompt_tokens_usd, owned_cost_per_million_output_tokens_usd,
    cloud_offer
