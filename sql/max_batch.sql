-- Max batch: the largest batch (concurrent sequences) that meets a time-to-first-token and an
-- inter-token-latency target, for each accelerator, layout and precision of one model.
-- Grain: one row per hardware x tp x pp x compute_dtype x weight_dtype x kv_dtype x prompt_len x output_len.
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
        max(batch) as max_batch,
        arg_max(ttft_s, batch) as ttft_s,
        arg_max(itl_s, batch) as itl_s,
        arg_max(tokens_per_s_per_device, batch) as tokens_per_s_per_device,
        arg_max(bound, batch) as bound
    from meeting
    group by all
)

select * from final
order by tokens_per_s_per_device desc
