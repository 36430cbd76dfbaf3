-- Design-space map: for each model, workload, step, batch and sequence length, the
-- fastest feasible configuration and the most energy-efficient one (samples per
-- joule at TDP, i.e. throughput per watt), each with its precision and binding term.
-- Grain: one row per model x workload x step x batch x seq_len (seq_len null for CNNs); a tie goes to the
-- first hardware, then precision, by name.
-- Training rows count only at precisions that train: fp32/tf32, fp16/bf16 mixed precision
-- (Micikevicius et al. 2018, arXiv:1710.03740), fp8 (Micikevicius et al. 2022, arXiv:2209.05433)
-- and fp4 (NVFP4 pretraining, NVIDIA 2025, arXiv:2509.25149); int8 is an inference format.
-- reads: node
with feasible as (
    select * from node
    where is_feasible
      and (workload <> 'training' or compute_dtype in ('fp32', 'tf32', 'fp16', 'bf16', 'fp8', 'fp4'))
),

ranked as (
    select
        model, workload, step, batch, seq_len,
        count(*) as feasible_configurations,
        -- the smallest (value, hardware, compute_dtype, bound) struct: ties (e.g. GB200 and GB300 NVL72 at the same
        -- latency) go to the first hardware and precision by name, so the answer does not depend on the order DuckDB
        -- meets the rows in (one struct min: ~0.1 CPU s less than arg_min over a 3.2 M-row run, CHANGELOG nspeed4)
        min({'by': latency_s, 'hardware': hardware, 'compute_dtype': compute_dtype, 'bound': bound})
            filter (where latency_s is not null) as fastest,
        min({'by': -samples_per_j, 'hardware': hardware, 'compute_dtype': compute_dtype, 'bound': bound})
            filter (where samples_per_j is not null) as most_efficient
    from feasible
    group by all
),

final as (
    select
        model, workload, step, batch, seq_len, feasible_configurations,
        fastest.hardware as fastest_hardware,
        fastest.compute_dtype as fastest_compute_dtype,
        fastest.by as fastest_latency_s,
        fastest.bound as fastest_bound,
        most_efficient.hardware as efficient_hardware,
        most_efficient.compute_dtype as efficient_compute_dtype,
        -most_efficient.by as efficient_samples_per_j,
        most_efficient.bound as efficient_bound
    from ranked
)

select * from final
order by model, workload, step, batch, seq_len nulls first
