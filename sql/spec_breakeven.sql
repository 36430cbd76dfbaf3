-- Speculative decoding's breakeven: for each drafter setting, the largest batch where it still
-- pays (spec_speedup >= 1) and the smallest where it no longer does (speedup < 1, or the drafter
-- does not fit), with the speedups there (pipeline/walls/speculative.py).
-- Grain: one row per model x hardware x tp x pp x dtypes x prompt_len x output_len x draft_model x
-- spec_draft_tokens x spec_acceptance (k > 0 rows only).
-- reads: serving
-- param model = any
with speculating as (
    select * from serving
    where spec_draft_tokens > 0
      and is_feasible
      and ($model = 'any' or model = $model)
),

final as (
    select
        model, hardware, tp, pp, compute_dtype, weight_dtype, kv_dtype, prompt_len, output_len,
        coalesce(cast(draft_model as varchar), 'MTP/EAGLE head') as drafter,
        spec_draft_tokens, spec_acceptance,
        max(batch) filter (where spec_speedup >= 1) as last_batch_paying,
        arg_max(spec_speedup, batch) filter (where spec_speedup >= 1) as speedup_there,
        min(batch) filter (where coalesce(spec_speedup, 0) < 1) as first_batch_not_paying,
        arg_min(spec_speedup, batch) filter (where coalesce(spec_speedup, 0) < 1) as speedup_after,
        arg_min(spec_is_feasible, batch) filter (where coalesce(spec_speedup, 0) < 1) as drafter_fits_after
    from speculating
    group by all
)

select * from final
order by model, hardware, drafter, spec_draft_tokens, spec_acceptance
