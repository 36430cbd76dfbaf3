-- SLA frontier: for one model, the deployments within $gpus GPUs whose TTFT (at the percentile)
-- and mean TPOT under load meet the SLA, and among them the Pareto frontier of generated tokens/s
-- per GPU against tokens/s per user (1 / TPOT), per accelerator and request lengths, with the cost
-- per million tokens. A deployment is floor(gpus / devices) replicas of one serving row's layout
-- at its request rate per replica (wall 7: continuous batching): the aggregated candidates of
-- `mlsys serve-plan` (pipeline/studies/disaggregated.py), which also searches disaggregated
-- prefill/decode deployments built from the same rows. Needs a run with a request_rate axis.
-- Grain: one row per frontier deployment (hardware x layout x dtypes x batch x request_rate x lengths).
-- reads: serving
-- param model: required, a model name
-- param gpus = 8
-- param ttft_s = 0.5
-- param tpot_s = 0.03
-- param percentile = p99: p99, p50 or mean (of TTFT; TPOT is the mean)
with candidates as (
    select
        *,
        round(tokens_per_s / tokens_per_s_per_device) as devices,
        case $percentile
            when 'p99' then ttft_p99_s
            when 'p50' then ttft_p50_s
            when 'mean' then ttft_mean_s
            else error('percentile: expected p99, p50 or mean')
        end as deployment_ttft_s,
        -- a drafting row's decode token takes spec_itl_s / itl_s of an ITL (null: its drafter does not fit)
        tpot_under_load_s * case when coalesce(spec_draft_tokens, 0) > 0 then spec_itl_s / itl_s else 1.0 end
            as deployment_tpot_s,
        request_rate / replicas as deployment_request_rate,
        output_len + reasoning_tokens as generated_tokens
    from serving
    where model = $model
      and is_feasible
      and is_stable
      and request_rate is not null
),

deployments as (
    select
        *,
        floor($gpus / devices) as deployment_replicas,
        deployment_request_rate * generated_tokens / devices as tokens_per_s_per_gpu,
        1.0 / deployment_tpot_s as tokens_per_s_per_user,
        cloud_cost_usd_per_h / (devices * replicas) * devices
            / (deployment_request_rate * generated_tokens * 3600) * 1e6 as cost_per_million_tokens_usd
    from candidates
    where devices <= $gpus
      and deployment_ttft_s <= $ttft_s
      and deployment_tpot_s <= $tpot_s
      and deployment_request_rate > 0
),

ranked as (
    select
        *,
        max(tokens_per_s_per_gpu) over (
            partition by hardware, prompt_len, output_len
            order by tokens_per_s_per_user desc, tokens_per_s_per_gpu desc
            rows between unbounded preceding and 1 preceding
        ) as best_before
    from deployments
),

final as (
    select
        hardware, prompt_len, output_len, tp, pp, compute_dtype, weight_dtype, kv_dtype, batch, request_rate,
        devices, deployment_replicas, deployment_ttft_s, deployment_tpot_s, tokens_per_s_per_gpu,
        tokens_per_s_per_user, cost_per_million_tokens_usd
    from ranked
    where best_before is null or tokens_per_s_per_gpu > best_before
)

select * from final
order by hardware, prompt_len, output_len, tokens_per_s_per_user desc
