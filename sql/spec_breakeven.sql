-- Speculative decoding's breakeven: for each drafter setting, the largest batch where it still
-- pays (spec_speedup >= 1) and the smallest where it no longer does (speedup < 1, or the drafter
-- does not fit), with the speedups there (pipeline/walls/speculative.py).
-- Grain: one row per model x hardware x tp x pp x dtypes x prompt_len x output_len x draft_model x
-- spec_draft_tokens x spec_acceptance (k > 0 rows only). Several rows at one batch (another axis: region, request
-- rate): the highest speedup where it pays, the lowest where it does not (a drafter that does not fit first).
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
        -- structs, not arg_max/arg_min on batch (which took any row at that batch)
        max({'batch': batch, 'speedup': spec_speedup}) filter (where spec_speedup >= 1) as paying,
        min({'batch': batch, 'by': coalesce(spec_speedup, 0), 'fits': spec_is_feasible, 'speedup': spec_speedup})
            filter (where coalesce(spec_speedup, 0) < 1) as not_paying
    from speculating
    group by all
)

select
    model, hardware, tp, pp, compute_dtype, weight_dtype, kv_dtype, prompt_len, output_len, drafter,
    spec_draft_tokens, spec_acceptance,
    paying.batch as last_batch_paying, paying.speedup as speedup_there,
    not_paying.batch as first_batch_not_paying,
    not_paying.speedup as speedup_after,
    not_paying.fits as drafter_fits_after
from final
order by model, hardware, drafter, spec_draft_tokens, spec_acceptance, tp, pp, compute_dtype, weight_dtype, kv_dtype,
    prompt_len, output_len
