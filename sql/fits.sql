-- Fits: the fewest devices of each accelerator (tp x pp, x ep / tp attention groups) that hold a model's weights and its
-- KV cache at a context length, with the memory breakdown of that layout.
-- Grain: one row per model x hardware x weight_dtype x kv_dtype (serving runs).
-- reads: serving
-- param model = any: a model name, or any
-- param context_tokens = 0: prompt_len + output_len to check; 0 takes the longest in the run
-- param batch = 1
with candidates as (
    select *, prompt_len + output_len as context_tokens, devices_per_replica as devices
    from serving
    where ($model = 'any' or model = $model)
      and batch = $batch
      and fits_in_hbm
),

at_context as (
    select * from candidates
    where context_tokens = case when $context_tokens = 0
                                then (select max(prompt_len + output_len) from serving)
                                else $context_tokens end
),

final as (
    select
        model, hardware, weight_dtype, kv_dtype, context_tokens,
        min(devices) as devices,
        arg_min(tp, devices) as tp,
        arg_min(pp, devices) as pp,
        arg_min(ep, devices) as ep,
        arg_min(weights_per_device_bytes, devices) as weights_per_device_bytes,
        arg_min(kv_cache_bytes_per_device, devices) as kv_cache_bytes_per_device,
        arg_min(memory_headroom_bytes, devices) as memory_headroom_bytes
    from at_context
    group by all
)

select * from final
order by model, devices, hardware, weight_dtype, kv_dtype
