-- SLA frontier: for one model, the deployments within $gpus GPUs whose TTFT (at the percentile)
-- and mean TPOT meet the SLA, and among them the Pareto frontier of generated tokens/s per GPU
-- against tokens/s per user (1 / TPOT), per accelerator and request lengths, with the cost per
-- million tokens: what `mlsys serve-plan` prints, over a run (formulas and sources:
-- pipeline/walls/disaggregated.py, pipeline/studies/disaggregated.py). Two kinds:
-- aggregated: floor(gpus / devices) replicas of one row's layout at its request rate per replica
--   (wall 7); needs a run with a request_rate axis;
-- disaggregated: x prefill workers (rows whose batch one prefill pass takes, batch <= prefill_batch:
--   a batch-service queue, M/D/1 at rho = rate / x x pass / batch) and y decode workers (rows at their batch)
--   of the same KV dtype, x and y >= 1 within $gpus; each prompt's KV (the decode row's
--   kv_cache_bytes per sequence and held token x the prompt) crosses min(devices) NICs of
--   $nic_bytes_per_s x $nic_efficiency after $scaleout_latency_s; the rate is min(x x the prefill rate
--   within the TTFT SLA, y x decode capacity). The network defaults are the clusters catalog's H100,
--   H200 and B200 rows (400 Gb/s, one NIC per GPU, 2.7 us); set them for another fabric;
--   and the run's own disaggregated rows (prefill_workers, decode_workers > 0: both pools of the row's
--   layout, the serving study's disagg_* columns at the row's request rate).
-- Grain: one row per frontier deployment (hardware x lengths x kind x layouts x batch x rate or x, y). Of
-- deployments tied on both axes, the first by kind, GPUs, workers, layouts, precision, batch and rate (then its
-- other columns) stays, so rows and their order do not depend on the order DuckDB meets the rows in.
-- reads: serving
-- param model: required, a model name
-- param gpus = 8
-- param ttft_s = 0.5
-- param tpot_s = 0.03
-- param percentile = p99: p99, p50 or mean (of TTFT; TPOT is the mean)
-- param nic_bytes_per_s = 50000000000.0
-- param nics_per_gpu = 1.0
-- param scaleout_latency_s = 0.0000027
-- param nic_efficiency = 0.95: NCCL's achieved fraction of an NDR NIC, pipeline.walls.locality.SCALEOUT_LINK_EFFICIENCY

-- A deployment's pricing, one implementation of each term, read by the bisection, the witnesses, the deployments and
-- the one-prefill-worker-fewer check (temp macros: the query's own, gone with its connection).
-- A prefill worker's wait at utilization rho (clamped to (0, 1)) of service time s: the M/D/1 queue's mean
-- rho s / (2 (1 - rho)), or its tail at the quantile, s / (2 (1 - rho)) ln(rho / (1 - quantile))
-- (pipeline/walls/disaggregated.py)
create or replace temp macro sla_utilization(rho) as least(greatest(rho, 1e-12), 1 - 1e-12);
create or replace temp macro sla_prefill_wait_s(rho, s, quantile) as
    case when quantile is null
        then sla_utilization(rho) * s / (2 * (1 - sla_utilization(rho)))
        else s / (2 * (1 - sla_utilization(rho))) * greatest(ln(sla_utilization(rho) / (1 - quantile)), 0)
    end;
-- TTFT of x prefill workers (batch b, service time s) carrying rate requests/s: the wait at rho = rate / x x s / b,
-- the prefill and the KV transfer
create or replace temp macro sla_prefill_ttft_s(rate, x, s, b, kv_transfer_time_s, quantile) as
    sla_prefill_wait_s(rate / x * s / b, s, quantile) + s + kv_transfer_time_s;
-- decode time of n generated tokens at an ITL (x the drafting ratio): TPOT at n = 1
create or replace temp macro sla_decode_time_s(n, itl_s, speculation) as n * itl_s * speculation;
-- x prefill workers of pr requests/s and y decode workers of dc: the rate, the GPUs and the tokens/s per GPU
create or replace temp macro sla_request_rate(x, pr, y, dc) as least(x * pr, y * dc);
create or replace temp macro sla_gpus(x, prefill_devices, y, decode_devices) as
    x * prefill_devices + y * decode_devices;
create or replace temp macro sla_tokens_per_s_per_gpu(rate, generated_tokens, gpus) as rate * generated_tokens / gpus;
create or replace temp macro sla_tokens_per_s_per_user(tpot_s) as 1.0 / tpot_s;

with recursive rows_ as (
    select
        *,
        round(tokens_per_s / tokens_per_s_per_device) as devices,
        output_len + reasoning_tokens as generated_tokens,
        cloud_cost_usd_per_h / (round(tokens_per_s / tokens_per_s_per_device) * replicas) as usd_per_gpu_hour,
        -- a drafting row's decode token takes spec_itl_s / itl_s of an ITL (null: its drafter does not fit)
        case when coalesce(spec_draft_tokens, 0) > 0 then spec_itl_s / itl_s else 1.0 end as speculation,
        case $percentile when 'p99' then 0.99::double when 'p50' then 0.5::double when 'mean' then null::double
            else error('percentile: expected p99, p50 or mean') end as quantile
    from serving
    where model = $model and is_feasible
),

aggregated as (
    select
        'aggregated' as kind, hardware, prompt_len, output_len, tp, pp, compute_dtype, batch, request_rate,
        null::double as prefill_tp, null::double as prefill_pp, null::varchar as prefill_dtype,
        null::double as prefill_workers, null::double as decode_workers,
        devices as deployment_gpus, floor($gpus / devices) as deployment_replicas,
        case $percentile when 'p99' then ttft_p99_s when 'p50' then ttft_p50_s else ttft_mean_s end
            as deployment_ttft_s,
        sla_decode_time_s(1, tpot_under_load_s, speculation) as deployment_tpot_s,
        request_rate / replicas as deployment_request_rate, generated_tokens, usd_per_gpu_hour
    from rows_
    where prefill_workers = 0 and is_stable and request_rate is not null and devices <= $gpus
        and speculation is not null
),

axis as (  -- the run's own disaggregated rows (axes prefill_workers, decode_workers: both pools of the row's layout)
    select
        'disaggregated' as kind, hardware, prompt_len, output_len, tp, pp, compute_dtype, batch, request_rate,
        tp as prefill_tp, pp as prefill_pp, cast(compute_dtype as varchar) as prefill_dtype,
        prefill_workers::double as prefill_workers, decode_workers::double as decode_workers,
        disagg_gpus as deployment_gpus, null::double as deployment_replicas,
        case $percentile when 'p99' then disagg_ttft_p99_s when 'p50' then disagg_ttft_p50_s else disagg_ttft_mean_s
            end as deployment_ttft_s,
        sla_decode_time_s(1, itl_s, speculation) as deployment_tpot_s,
        request_rate / replicas as deployment_request_rate, generated_tokens, usd_per_gpu_hour
    from rows_
    where prefill_workers > 0 and disagg_utilization < 1 and disagg_gpus <= $gpus and speculation is not null
),

one as (  -- one row per layout and batch: prefill time and ITL do not depend on the request rate
    -- (the row at the lowest replicas, request rate and concurrency: distinct on without an order kept either)
    select distinct on (hardware, region, teacher, prompt_len, output_len, dataset, reasoning_tokens, prune_ratio,
                        prefix_hit_rate, lora_rank, lora_adapters, tp, pp, compute_dtype, weight_dtype, kv_dtype,
                        spec_draft_tokens, spec_acceptance, draft_model, ep, redundant_experts, cluster, batch) *
    from rows_
    where prefill_workers = 0
    order by replicas, request_rate, concurrency
),

prefill as (  -- a prefill worker passes up to prefill_batch prompts at once (the chunked-prefill budget);
    -- it does not draft: the row with the fewest draft tokens (then acceptance, drafter by name) of its layout
    select distinct on (hardware, region, teacher, prompt_len, output_len, dataset, reasoning_tokens, prune_ratio,
                        prefix_hit_rate, lora_rank, lora_adapters, tp, pp, compute_dtype, weight_dtype, kv_dtype,
                        ep, redundant_experts, cluster, batch) *
    from one
    where batch <= prefill_batch or batch = 1
    order by coalesce(spec_draft_tokens, 0), spec_acceptance, draft_model
),

pairs as (  -- a pair that can meet the SLA with one worker of each: its decode TPOT within it, both workers'
    -- GPUs within $gpus (x, y >= 1 workers of >= 1 device)
    select
        p.hardware, p.prompt_len, p.output_len, p.generated_tokens, p.usd_per_gpu_hour, p.quantile,
        p.tp as prefill_tp, p.pp as prefill_pp, cast(p.compute_dtype as varchar) as prefill_dtype,
        p.devices as prefill_devices, p.ttft_s as prefill_service_s, p.batch::double as prefill_batch,
        d.tp, d.pp, d.compute_dtype, d.batch, d.devices as decode_devices,
        sla_decode_time_s(1, d.itl_s, d.speculation) as decode_tpot_s,
        $scaleout_latency_s + d.kv_cache_bytes / (d.batch * d.kv_held_tokens)
            * least(p.prompt_len, d.kv_held_tokens)
            / (least(p.devices, d.devices) * $nics_per_gpu * $nic_bytes_per_s * $nic_efficiency)
            as kv_transfer_time_s,
        d.batch / sla_decode_time_s(p.generated_tokens, d.itl_s, d.speculation) as decode_capacity
    from prefill p
    join one d
        on p.hardware = d.hardware and p.teacher = d.teacher and p.prompt_len = d.prompt_len
        and p.output_len = d.output_len and p.reasoning_tokens = d.reasoning_tokens
        and p.prune_ratio = d.prune_ratio and p.kv_dtype = d.kv_dtype
        and p.region is not distinct from d.region and p.dataset is not distinct from d.dataset
        and p.prefix_hit_rate is not distinct from d.prefix_hit_rate
        and p.lora_rank is not distinct from d.lora_rank and p.lora_adapters is not distinct from d.lora_adapters
    where d.speculation is not null and decode_tpot_s <= $tpot_s and p.devices + d.devices <= $gpus
),

budgets as materialized (  -- materialized: read by the bisection's inputs and the join back. The TTFT left for the
    -- prefill worker's wait: its prompt's prefill and transfer within the TTFT (budget < 0: no prefill rate; 2.4 M
    -- pairs of the serving bench's Llama 3.1 8B -> 1.07 M)
    select *, $ttft_s - prefill_service_s - kv_transfer_time_s as budget
    from pairs
    where budget >= 0
),

bisect as (  -- 24 bisection steps on the prefill worker's utilization: its wait within the budget; once per
    -- distinct (service time, budget), the bisection's only inputs (1.07 M pairs -> 18 k on the bench's 8B)
    select prefill_service_s, budget, quantile, 0.0::double as lo, 1.0::double as hi, 0 as step
    from (select distinct prefill_service_s, budget, quantile from budgets)
    union all
    select
        b.prefill_service_s, b.budget, b.quantile,
        case when w.wait <= b.budget then w.mid else b.lo end,
        case when w.wait <= b.budget then b.hi else w.mid end,
        b.step + 1
    from bisect b
    cross join lateral (
        select
            (b.lo + b.hi) / 2 as mid,
            sla_prefill_wait_s((b.lo + b.hi) / 2, b.prefill_service_s, b.quantile) as wait
    ) w
    where b.step < 24
),

matched as (
    select n.*, b.lo * n.prefill_batch / n.prefill_service_s as prefill_rate_per_worker
    from budgets n
    join bisect b
        on b.step = 24 and b.prefill_service_s = n.prefill_service_s and b.budget = n.budget
        and b.quantile is not distinct from n.quantile
),

bounded as materialized (  -- read by the witnesses and the pairs kept: each pair with a prefill rate (none: no
    -- deployment of it has a rate), its tokens/s per user and a bound on its tokens/s per GPU at any worker counts
    -- (x pr >= rate and y dc >= rate, so x pd + y dd >= rate (pd / pr + dd / dc))
    select
        *,
        sla_tokens_per_s_per_user(decode_tpot_s) as tokens_per_s_per_user,
        generated_tokens / (prefill_devices / prefill_rate_per_worker + decode_devices / decode_capacity) as bound
    from matched
    where prefill_rate_per_worker > 0
),

witnesses as (  -- two deployments of each pair near the balance x pr = y dc, one worker of the kind carrying more
    -- requests/s per worker (the other's count floor(ratio) or one more, within $gpus), and whether each meets the SLA
    -- (sla_prefill_ttft_s, as `candidates` prices it): tokens/s per GPU that a deployment meeting the SLA reaches
    select
        *,
        sla_prefill_ttft_s(deployment_request_rate, prefill_workers, prefill_service_s, prefill_batch,
                           kv_transfer_time_s, quantile) <= $ttft_s and deployment_request_rate > 0 as meets
    from (
        select
            *,
            sla_tokens_per_s_per_gpu(deployment_request_rate, generated_tokens, deployment_gpus)
                as tokens_per_s_per_gpu
        from (
            select
                *,
                sla_gpus(prefill_workers, prefill_devices, decode_workers, decode_devices) as deployment_gpus,
                sla_request_rate(prefill_workers, prefill_rate_per_worker, decode_workers, decode_capacity)
                    as deployment_request_rate
            from (
                select
                    b.tokens_per_s_per_user, b.hardware, b.prompt_len, b.output_len, b.generated_tokens,
                    b.quantile, b.prefill_service_s, b.prefill_batch, b.kv_transfer_time_s, b.prefill_devices,
                    b.decode_devices, b.prefill_rate_per_worker, b.decode_capacity,
                    case when b.prefill_rate_per_worker >= b.decode_capacity then 1.0 else least(
                        floor(b.decode_capacity / b.prefill_rate_per_worker) + k,
                        floor(($gpus - b.decode_devices) / b.prefill_devices)) end as prefill_workers,
                    case when b.prefill_rate_per_worker < b.decode_capacity then 1.0 else least(
                        floor(b.prefill_rate_per_worker / b.decode_capacity) + k,
                        floor(($gpus - b.prefill_devices) / b.decode_devices)) end as decode_workers
                from bounded b, range(2) tk(k)
            )
        )
    )
),

reach as (  -- per tokens/s per user (of a hardware and lengths), the most tokens/s per GPU a witness meeting the SLA
    -- reaches there or at more tokens/s per user
    select
        hardware, prompt_len, output_len, tokens_per_s_per_user,
        max(max(tokens_per_s_per_gpu) filter (meets)) over (
            partition by hardware, prompt_len, output_len order by tokens_per_s_per_user desc) as reach
    from witnesses
    group by hardware, prompt_len, output_len, tokens_per_s_per_user
),

kept as (  -- a pair whose bound is below the reach at its tokens/s per user has no deployment on the frontier and
    -- lowers no other's best_before: the witness (or a deployment ordered before it with as many tokens/s per GPU)
    -- is ordered before each of them with more tokens/s per GPU (the 1e-9: the bound's rounding). The bench's 8B:
    -- 1.07 M pairs -> 140 k; at 16 GPUs, p50, 2 s, 0.1 s: 2.03 M -> 209 k, 36.6 M deployments -> 5.0 M
    select b.*
    from bounded b
    join reach r
        on b.hardware = r.hardware and b.prompt_len = r.prompt_len and b.output_len = r.output_len
        and b.tokens_per_s_per_user = r.tokens_per_s_per_user
    where not coalesce(b.bound * (1 + 1e-9) < r.reach, false)
),

counts as (  -- the worker counts within $gpus of each pair of worker sizes, joined to the pairs by their sizes
    select d.prefill_devices, d.decode_devices, x::double as prefill_workers, y::double as decode_workers
    from (select distinct prefill_devices, decode_devices from kept) d, range(1, $gpus + 1) tx(x),
        range(1, $gpus + 1) ty(y)
    where x * d.prefill_devices + y * d.decode_devices <= $gpus
),

disaggregated as (  -- x prefill and y decode workers of each pair within $gpus, their rate min(x pr, y dc), and the
    -- rate of x - 1 prefill workers: a deployment can be on the frontier only if one worker fewer of either kind would
    -- not carry the same rate within the SLA, since that one has the same tokens/s per user and more tokens/s per GPU
    -- (or as many, on fewer GPUs: the window orders it first). One decode worker fewer at the same rate has the same
    -- TTFT: left out here; one prefill worker fewer: its TTFT below (the bench's 8B: 6.5 M deployments meeting the SLA
    -- -> 2.9 M; at 16 GPUs, p50, 2 s, 0.1 s: 38 M -> 9.8 M)
    select *
    from (
        select
            m.*, c.prefill_workers, c.decode_workers,
            sla_gpus(c.prefill_workers, m.prefill_devices, c.decode_workers, m.decode_devices) as deployment_gpus,
            sla_request_rate(c.prefill_workers, m.prefill_rate_per_worker, c.decode_workers, m.decode_capacity)
                as deployment_request_rate,
            sla_request_rate(c.prefill_workers - 1, m.prefill_rate_per_worker, c.decode_workers, m.decode_capacity)
                as fewer_prefill_rate,
            sla_request_rate(c.prefill_workers, m.prefill_rate_per_worker, c.decode_workers - 1, m.decode_capacity)
                as fewer_decode_rate
        from kept m
        join counts c on c.prefill_devices = m.prefill_devices and c.decode_devices = m.decode_devices
    )
    where not coalesce(decode_workers > 1 and fewer_decode_rate = deployment_request_rate, false)
),

candidates as (
    select
        kind, hardware, prompt_len, output_len, tp, pp, compute_dtype, batch, request_rate, prefill_tp, prefill_pp,
        prefill_dtype, prefill_workers, decode_workers, deployment_gpus, deployment_replicas, deployment_ttft_s,
        deployment_tpot_s, deployment_request_rate, generated_tokens, usd_per_gpu_hour
    from aggregated
    union all by name
    select * from axis
    union all by name
    select
        'disaggregated' as kind, hardware, prompt_len, output_len, tp, pp, compute_dtype, batch,
        null::double as request_rate, prefill_tp, prefill_pp, prefill_dtype, prefill_workers, decode_workers,
        deployment_gpus, null::double as deployment_replicas,
        sla_prefill_ttft_s(deployment_request_rate, prefill_workers, prefill_service_s, prefill_batch,
                           kv_transfer_time_s, quantile) as deployment_ttft_s,
        decode_tpot_s as deployment_tpot_s, deployment_request_rate, generated_tokens, usd_per_gpu_hour
    from disaggregated
    where not coalesce(  -- x - 1 prefill workers at the same rate within the TTFT SLA
        prefill_workers > 1 and fewer_prefill_rate = deployment_request_rate
        and sla_prefill_ttft_s(fewer_prefill_rate, prefill_workers - 1, prefill_service_s, prefill_batch,
                               kv_transfer_time_s, quantile) <= $ttft_s, false)
),

meeting as materialized (  -- read twice: its best per tokens/s per user, and its rows
    select
        *,
        sla_tokens_per_s_per_gpu(deployment_request_rate, generated_tokens, deployment_gpus) as tokens_per_s_per_gpu,
        sla_tokens_per_s_per_user(deployment_tpot_s) as tokens_per_s_per_user,
        deployment_gpus * usd_per_gpu_hour / (deployment_request_rate * generated_tokens * 3600) * 1e6
            as cost_per_million_tokens_usd
    from candidates
    where deployment_ttft_s <= $ttft_s and deployment_tpot_s <= $tpot_s and deployment_request_rate > 0
),

user_best as (  -- the most tokens/s per GPU at each tokens/s per user (of a hardware and lengths): a deployment
    -- below it is not on the frontier (the window orders that one first) and lowers no other's best_before; left
    -- out before the window sorts (the bench's 8B: 2.9 M -> 158 k; over 6.5 M the window took 12-14 CPU s)
    select hardware, prompt_len, output_len, tokens_per_s_per_user, max(tokens_per_s_per_gpu) as user_best
    from meeting
    group by all
),

per_user as (
    select m.*
    from meeting m
    join user_best b
        on m.hardware = b.hardware and m.prompt_len = b.prompt_len and m.output_len = b.output_len
        and m.tokens_per_s_per_user is not distinct from b.tokens_per_s_per_user
    where m.tokens_per_s_per_gpu >= b.user_best or m.tokens_per_s_per_gpu is null
),

ranked as (
    select
        *,
        max(tokens_per_s_per_gpu) over (
            partition by hardware, prompt_len, output_len
            order by tokens_per_s_per_user desc, tokens_per_s_per_gpu desc,
                kind, deployment_gpus, deployment_replicas, prefill_workers, prefill_tp, prefill_pp, prefill_dtype,
                decode_workers, tp, pp, compute_dtype, batch, request_rate, deployment_ttft_s, deployment_tpot_s,
                cost_per_million_tokens_usd
            rows between unbounded preceding and 1 preceding
        ) as best_before
    from per_user
),

final as (
    select
        hardware, prompt_len, output_len, kind, deployment_gpus, deployment_replicas, prefill_workers,
        prefill_tp, prefill_pp, prefill_dtype, decode_workers, tp, pp, compute_dtype, batch, request_rate,
        deployment_ttft_s, deployment_tpot_s, tokens_per_s_per_gpu, tokens_per_s_per_user,
        cost_per_million_tokens_usd
    from ranked
    where best_before is null or tokens_per_s_per_gpu > best_before
)

select * from final
order by hardware, prompt_len, output_len, tokens_per_s_per_user desc, tokens_per_s_per_gpu desc,
    kind, deployment_gpus, deployment_replicas, prefill_workers, prefill_tp, prefill_pp, prefill_dtype,
    decode_workers, tp, pp, compute_dtype, batch, request_rate, deployment_ttft_s, deployment_tpot_s,
    cost_per_million_tokens_usd
