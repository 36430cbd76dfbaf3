-- Serving frontier: for one model, the latency-throughput Pareto frontier of each accelerator
-- across layouts (tp x pp), precisions and batches: configurations that no other
-- configuration on the same accelerator beats on both inter-token latency and tokens per
-- second per device.
-- Grain: one row per frontier configuration (hardware x tp x pp x dtypes x batch x lengths). Of configurations
-- tied on both, the first by layout, precisions, batch and lengths (then its other columns) stays, so rows and
-- their order do not depend on the order DuckDB meets the rows in.
-- reads: serving
-- param model: required, a model name
-- param prompt_len = 0: 0 keeps every prompt length
with candidates as (
    select * from serving
    where model = $model
      and is_feasible
      and ($prompt_len = 0 or prompt_len = $prompt_len)
),

ranked as (
    select
        *,
        max(tokens_per_s_per_device) over (
            partition by hardware
            order by itl_s, tokens_per_s_per_device desc,
                tp, pp, compute_dtype, weight_dtype, kv_dtype, batch, prompt_len, output_len, ttft_s, tokens_per_s,
                bound
            rows between unbounded preceding and 1 preceding
        ) as best_faster_throughput
    from candidates
),

final as (
    select
        hardware, tp, pp, compute_dtype, weight_dtype, kv_dtype, batch, prompt_len, output_len,
        itl_s, ttft_s, tokens_per_s_per_device, tokens_per_s, bound
    from ranked
    where best_faster_throughput is null or tokens_per_s_per_device > best_faster_throughput
)

select * from final
order by hardware, itl_s, tokens_per_s_per_device desc,
    tp, pp, compute_dtype, weight_dtype, kv_dtype, batch, prompt_len, output_len, ttft_s, tokens_per_s, bound
