-- Max batch: the largest batch (concurrent sequences) that meets a time-to-first-token and an
-- inter-token-latency target, for each accelerator, layout and precision of one model.
-- Grain: one row per hardware x tp x pp x compute_dtype x weight_dtype x kv_dtype x prompt_len x output_len.
-- Rows at the largest batch that differ on another axis (region, request rate, ...): the one with the most
-- tokens/s per device, then the lowest TTFT and ITL (then the bound last by name); the final order breaks ties
-- on the grain.
-- reads: serving
-- param model: required, a model name
-- param max_ttft_s = 1.0
-- param max_itl_s = 0.05
with meeting as (
    select * from serving
    where model = $model
      and is_feasible
      and ttft_s <= $max_ttft_s
      and itl_s <= $max_itl_s
),

final as (
    select
        hardware, tp, pp, compute_dtype, weight_dtype, kv_dtype, prompt_len, output_len,
        -- the largest (batch, tokens/s per device, -TTFT, -ITL, bound) struct: arg_max on batch took any row there
        max({'batch': batch, 'tokens_per_s_per_device': tokens_per_s_per_device, 'ttft_s': -ttft_s,
             'itl_s': -itl_s, 'bound': bound}) as top
    from meeting
    group by all
)

select
    hardware, tp, pp, compute_dtype, weight_dtype, kv_dtype, prompt_len, output_len,
    top.batch as max_batch, -top.ttft_s as ttft_s, -top.itl_s as itl_s,
    top.tokens_per_s_per_device as tokens_per_s_per_device, top.bound as bound
from final
order by tokens_per_s_per_device desc, hardware, tp, pp, compute_dtype, weight_dtype, kv_dtype, prompt_len, output_len
