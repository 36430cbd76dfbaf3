-- Design-space map: for each model, workload, step, batch and sequence length, the
-- fastest feasible configuration and the most energy-efficient one (samples per
-- joule at TDP, i.e. throughput per watt), each with its precision and binding term.
-- Grain: one row per model x workload x step x batch x seq_len (seq_len null for CNNs).
-- reads: node
with feasible as (
    select * from node where is_feasible
),

ranked as (
    select
        model, workload, step, batch, seq_len,
        count(*) as feasible_configurations,
        arg_min({'hardware': hardware, 'compute_dtype': compute_dtype, 'latency_s': latency_s,
                 'bound': bound}, latency_s) as fastest,
        arg_max({'hardware': hardware, 'compute_dtype': compute_dtype, 'samples_per_j': samples_per_j,
                 'bound': bound}, samples_per_j) as most_efficient
    from feasible
    group by all
),

final as (
    select
        model, workload, step, batch, seq_len, feasible_configurations,
        fastest.hardware as fastest_hardware,
        fastest.compute_dtype as fastest_compute_dtype,
        fastest.latency_s as fastest_latency_s,
        fastest.bound as fastest_bound,
        most_efficient.hardware as efficient_hardware,
        most_efficient.compute_dtype as efficient_compute_dtype,
        most_efficient.samples_per_j as efficient_samples_per_j,
        most_efficient.bound as efficient_bound
    from ranked
)

select * from final
order by model, workload, step, batch, seq_len nulls first
