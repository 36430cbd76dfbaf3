-- Fits: the fewest devices of each accelerator (tp x pp, x ep / tp attention groups) that hold a model's weights and
-- its KV cache at a context length, with the memory breakdown of that layout.
-- Grain: one row per model x hardware x weight_dtype x kv_dtype (serving runs).
-- reads: serving
-- param model = any: a model name, or any
-- param context_tokens = 0: prompt_len + output_len to check; 0 takes the longest in the run
-- param batch = 1
-- the view read once (not materialized: each use inlined, so the filters below still reach its scan): a second
-- `from serving` bound the view's SELECT again, 0.04-0.07 CPU s of the serving bench's 0.4 (CHANGELOG queries). It is
-- serving_memory, the rows of serving with their key axes and memory terms alone: DuckDB binds a view's whole SELECT
-- for each query, serving's 15 levels of query-time columns where fits needs 7 (the serving bench: 0.28 -> 0.15 s).
-- The longest context of the run from serving_lengths, the run's distinct (prompt_len, output_len) pairs (a table
-- written with the run: not a scan of every row's keys, CHANGELOG fitsq, r-srvfix). The context is matched as its
-- pairs, a semi join on the view's own columns: DuckDB pushes the pairs' range into the fact scan (join filter
-- pushdown), so the joins and memory formulas run on the rows at that context, not every batch-1 row that fits
-- (the serving bench's run: 272,218 -> 16,424). A row's pair is a pair of the run, so it is kept exactly when its
-- prompt_len + output_len equals the context, as before (r-fitsq).
with run_rows as not materialized (
    select * from serving_memory
),

candidates as (
    select *, prompt_len + output_len as context_tokens, devices_per_replica as devices
    from run_rows
    where ($model = 'any' or model = $model)
      and batch = $batch
      and fits_in_hbm
),

at_lengths as (
    -- the run's (prompt_len, output_len) pairs at the context: the longest when $context_tokens is 0
    select prompt_len, output_len
    from serving_lengths
    qualify prompt_len + output_len = case when $context_tokens = 0
                                           then max(prompt_len + output_len) over ()
                                           else $context_tokens end
),

at_context as (
    select * from candidates semi join at_lengths using (prompt_len, output_len)
),

fewest as (
    -- the smallest (devices, tp, pp, ep, ...) struct: layouts tied on devices (tp 4 x pp 2 and tp 8) go to the
    -- smaller tp, so the answer does not depend on the order DuckDB meets the rows in (arg_min on devices did)
    select
        model, hardware, weight_dtype, kv_dtype, context_tokens,
        min({'devices': devices, 'tp': tp, 'pp': pp, 'ep': ep, 'weights_per_device_bytes': weights_per_device_bytes,
             'kv_cache_bytes_per_device': kv_cache_bytes_per_device,
             'memory_headroom_bytes': memory_headroom_bytes}) as layout
    from at_context
    group by all
),

final as (
    select
        model, hardware, weight_dtype, kv_dtype, context_tokens,
        layout.devices as devices,
        layout.tp as tp,
        layout.pp as pp,
        layout.ep as ep,
        layout.weights_per_device_bytes as weights_per_device_bytes,
        layout.kv_cache_bytes_per_device as kv_cache_bytes_per_device,
        layout.memory_headroom_bytes as memory_headroom_bytes
    from fewest
)

select * from final
order by model, devices, hardware, weight_dtype, kv_dtype
