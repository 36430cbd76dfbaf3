"""Wall 7 (tail latency): a serving deployment under a request rate.

``replicas`` copies of the tp x pp system each take an equal share of a Poisson stream of
``request_rate`` requests/s (random routing keeps each share Poisson). Each replica batches
continuously, as Orca (Yu et al. 2022) and vLLM / Sarathi-Serve (Agrawal et al. 2024) schedule:
every iteration decodes one token of each sequence in flight and prefills the requests that
arrived during the previous one, so a replica spends rho = lambda_r x tau_p of its time on
prefill (tau_p: one request's prefill) and an iteration lasts E[C] = d / (1 - rho) on average
(d: a decode pass at the batch in flight b, with the scheduler's overhead). b is the mean of the
birth-death chain the batch is under Poisson arrivals (``poisson_batch``), its round affine through the
fluid root of Little's law, b = lambda_r x G x TPOT with G the generated tokens, solved by a fixed number
of vectorized iterations in the study (the ``*_at_load`` inputs). Capacity is what a replica
sustains at its largest batch, mu = 1 / (tau_b + G x (itl(b_cap) + o) / b_cap), o the scheduler's
time per iteration, tau_b a prompt's share of the cap's prefill (at capacity the replica runs the Offline steady
state: ``serving_load.capacity_prompt_price``); stability also needs rho < 1, the latency
formulas pricing each prompt alone. TTFT: the residual of
the iteration under way, then the next iteration (``_ttft_quantile``); TPOT: the mean iteration
and the clustering of iteration lengths (``tpot_at_mean_batch_s``), or by Little's law on the chain
(``tpot_under_load_s``). A discrete-event simulation of
the same policy checks both (pipeline/validation/simulate.py, ``mlsys bench --load``).

A pipeline-parallel replica (pp > 1) keeps a micro-batch on every stage, so it takes a new prompt
every stage time, not every pass: what a prompt costs the replica's throughput (the capacity, rho and
the stretch of an iteration) is the busiest stage's share of its prefill, ``prefill_stage_time_s``,
while the latency the request sees (its own prefill in TTFT, the decode round in TPOT) spans all
stages (``prefill_stage_share``).
"""

from __future__ import annotations

from pipeline.units import Plain, UExpr, lit, maximum, only_where, where
from pipeline.walls.quantities import TOKEN
from pipeline.walls.registries import define_serving, serving_column

@serving_column
def request_rate_per_replica(request_rate: UExpr, replicas: UExpr, closed_loop_arrival_share: UExpr,
                             closed_loop_saturated: Plain, capacity_requests_per_s: UExpr) -> UExpr:
    """A replica's share of the arrivals; in a closed loop the others' that a request meets
    (``closed_loop.closed_loop_arrival_share``, 1 in an open loop), of the capacity where more users cycle than the
    replica serves (``closed_loop_saturation``)."""
    served = where(closed_loop_saturated, capacity_requests_per_s, request_rate / replicas)
    return served * closed_loop_arrival_share


@serving_column
def prefill_stage_share(layers_per_stage: UExpr, n_layers: UExpr, pp: UExpr) -> UExpr:
    """The share of a prompt's prefill that the busiest of a replica's pp pipeline stages does:
    ceil(L / pp) / L (1 without PP; the LM head's one token per prompt on the last stage left out). A
    pipeline with a micro-batch on every stage takes a new one every stage time, its throughput set by
    the slowest stage (GPipe, Huang et al. 2019, §2.2; Narayanan et al. 2021, SC, §2.2); vLLM runs one
    scheduler per stage ("virtual engines ... schedule multiple batches simultaneously ..., saturating
    all pipeline stages", https://github.com/vllm-project/vllm/issues/11945), TensorRT-LLM's executor
    keeps pp micro-batches in flight the same way. Decode already works so: a round is one micro-batch
    of ceil(b / pp) sequences through all L layers (``serving.decode_sequences``), and with fewer
    sequences than stages the stages idle (the pipeline bubble) and the round is still that pass."""
    return where(pp > 1, (layers_per_stage / n_layers).to(""), 1.0)


@serving_column
def prefill_stage_time_s(prefill_time_one_request_s: UExpr, prefill_stage_share: UExpr) -> UExpr:
    """What one prompt's prefill costs the replica's throughput, tau_s = tau_p x the busiest stage's
    share (``prefill_stage_share``; tau_p at pp = 1): the service time of rho, of an iteration's stretch
    and of the capacity, where TTFT still waits the whole tau_p for the prompt's own first token."""
    return prefill_time_one_request_s * prefill_stage_share


@serving_column
def prefill_utilization(request_rate_per_replica: UExpr, prefill_stage_time_s: UExpr) -> UExpr:
    """Share of a replica's (busiest stage's) time spent prefilling arriving prompts: lambda_r x tau_s."""
    return (request_rate_per_replica * prefill_stage_time_s).to("")


@serving_column
def capacity_requests_per_s(prefill_time_batched_s: UExpr, prefill_stage_share: UExpr, generated_tokens: UExpr,
                            itl_at_batch_cap_s: UExpr, load_batch_cap: UExpr,
                            scheduler_overhead_per_iteration_s: UExpr) -> UExpr:
    """Requests/s one replica sustains: each costs its prefill plus G decode rounds shared by b_cap,
    a round being a decode pass and the scheduler's time per iteration, as in TPOT's d (``_cycle``).
    At capacity arrivals queue and a replica runs the Offline steady state (a full batch, prompts admitted as
    sequences finish), so a prompt costs what the Offline throughput prices it at the same batch, its share of
    the cap's prefill (``prefill_time_batched_s``, pipeline.studies.serving_load.capacity_prompt_price), not a
    pass of its own; with pp stages, the busiest stage's share of it (``prefill_stage_share``: a full pipeline
    takes a prompt every stage time)."""
    rounds = itl_at_batch_cap_s + scheduler_overhead_per_iteration_s.fill_null(0)
    return full_replica_rate(prefill_time_batched_s * prefill_stage_share, generated_tokens / TOKEN, rounds,
                             load_batch_cap).to("1/s")


def full_replica_rate(prompt_s, generated, round_s, cap):
    """1 / (tau_b + G d(b_cap) / b_cap): the requests/s of a replica decoding its cap while arrivals queue
    (``capacity_requests_per_s``; plain numbers or expressions, ``generated`` a count), the rate the queue in front of
    the cap is served at (``pipeline.walls.poisson_batch``)."""
    return 1.0 / (prompt_s + generated * round_s / cap)


@serving_column
def request_service_time_cv(prefill_time_batched_s: UExpr, prefill_stage_share: UExpr, prompt_len: UExpr,
                            itl_at_batch_cap_s: UExpr, load_batch_cap: UExpr, capacity_requests_per_s: UExpr,
                            input_tokens_std: UExpr, output_tokens_std: UExpr, input_output_correlation: UExpr,
                            scheduler_overhead_per_iteration_s: UExpr) -> UExpr:
    """Coefficient of variation of one request's service time S = a I + b O over a dataset's
    lengths (a = tau_b / prompt tokens, tau_b batched and per stage as in mu, b = (itl(b_cap) + o) / b_cap
    per generated token, first order: prefill linear in the prompt):
    sqrt(a^2 s_I^2 + b^2 s_O^2 + 2 a b r s_I s_O) / E[S], with E[S] = 1 / mu. The C_s of M/G/1 waits
    (Pollaczek-Khinchine, Kleinrock 1975, §5.6) and of Kingman's G/G/1 approximation (Kingman 1961);
    null without a dataset's spread."""
    a = prefill_time_batched_s * prefill_stage_share / prompt_len * input_tokens_std
    rounds = itl_at_batch_cap_s + scheduler_overhead_per_iteration_s.fill_null(0)
    b = rounds / load_batch_cap * (output_tokens_std / TOKEN)
    r = input_output_correlation.fill_null(0)  # only null where a spread is 0 (fixed lengths)
    variance = (a * a + b * b + 2.0 * r * a * b).to("s**2")
    return (variance.sqrt() * capacity_requests_per_s).to("")


@serving_column
def utilization(request_rate: UExpr, replicas: UExpr, capacity_requests_per_s: UExpr) -> UExpr:
    """rho = lambda / (c x mu); >= 1 means the queue grows without bound."""
    return (request_rate / (replicas * capacity_requests_per_s)).to("")


@serving_column
def is_stable(utilization: UExpr, prefill_utilization: UExpr, closed_loop_saturated: Plain) -> Plain:
    """rho < 1 and the prefill's share below 1; a saturated closed loop runs at its capacity (its users queue:
    ``closed_loop_saturation``), an open loop above it does not settle."""
    return ((utilization < 1.0) | closed_loop_saturated) & (prefill_utilization < 1.0)


# The moments of an iteration and the mixture of cases TTFT meets are columns of their own (``load_*``, ``ttft_*``):
# the two quantiles, the mean and the wait probability each read them, and inline they were most of wall 7's plan
# (~69 KB of expressions per quantile). The same expressions on the same values.

@serving_column
def load_round_s(itl_at_load_s: UExpr, scheduler_overhead_per_iteration_s: UExpr) -> UExpr:
    """d: a decode pass at the batch in flight, with the scheduler's overhead (``_cycle``)."""
    return (itl_at_load_s + scheduler_overhead_per_iteration_s.fill_null(0)).to("s")


@serving_column
def load_iteration_mean_s(load_round_s: UExpr, prefill_utilization: UExpr) -> UExpr:
    """E[C] = d / (1 - rho) (``_cycle``)."""
    return (load_round_s / (1.0 - prefill_utilization)).to("s")


@serving_column
def load_iteration_variance(prefill_stage_time_s: UExpr, request_rate_per_replica: UExpr,
                            load_iteration_mean_s: UExpr, prefill_utilization: UExpr) -> UExpr:
    """Var C = tau_s^2 lambda E[C] / (1 - rho^2) (``_cycle``), in s^2."""
    tau, lam, rho = prefill_stage_time_s, request_rate_per_replica, prefill_utilization
    return (tau * tau * lam * load_iteration_mean_s / (1.0 - rho * rho)).to("s**2")


def _gamma(mean: UExpr, var: UExpr) -> tuple[UExpr, UExpr]:
    """theta and k of the gamma of an iteration's mean and variance (``_cycle``)."""
    theta = (var / mean).to("s")
    return theta, (mean / theta).to("")


@serving_column
def load_no_prefill_share(request_rate_per_replica: UExpr, load_iteration_mean_s: UExpr,
                          load_iteration_variance: UExpr) -> UExpr:
    """P(N = 0) = E[exp(-lambda C)] = (1 + lambda theta)^-k (``_cycle``)."""
    theta, k = _gamma(load_iteration_mean_s, load_iteration_variance)
    return (-k * (1.0 + request_rate_per_replica * theta).log()).exp().to("")


def _cycle(load_round_s: UExpr, load_iteration_mean_s: UExpr, load_iteration_variance: UExpr,
           load_no_prefill_share: UExpr) -> dict:
    """The moments of one iteration's length C. An iteration is a decode pass d (the batch in
    flight, plus the scheduler's overhead) and the prefill of the N requests that arrived during
    the previous one: C' = d + tau_s N, N ~ Poisson(lambda C) (a gated single-server polling
    cycle; Takagi 1986, Analysis of Polling Systems, ch. 2; tau_s = tau_p without PP, the busiest
    stage's share of it with: ``prefill_stage_time_s``). Stationary: E[C] = d / (1 - rho),
    Var C = tau_s^2 lambda E[C] / (1 - rho^2); a gamma of those moments gives E[C^3] and
    P(N = 0) = E[exp(-lambda C)] = (1 + lambda theta)^-k (the ``load_*`` columns above)."""
    mean, var = load_iteration_mean_s, load_iteration_variance
    theta, k = _gamma(mean, var)
    return {"d": load_round_s, "mean": mean, "second": var + mean * mean,
            "third": k * (k + 1.0) * (k + 2.0) * theta ** 3, "no_prefill": load_no_prefill_share}


@serving_column
def load_idle_share(prefill_utilization: UExpr, request_rate_per_replica: UExpr, generated_tokens: UExpr,
                    load_iteration_mean_s: UExpr) -> UExpr:
    """P(an arrival finds its replica idle): no prefill under way (1 - rho) and no sequence decoding, e^-b with
    b = lambda G E[C] the sequences decoding (M/G/inf: Poisson)."""
    rate = -(request_rate_per_replica * (generated_tokens / TOKEN) * load_iteration_mean_s).to("")
    return ((1.0 - prefill_utilization) * rate.exp()).to("")


@serving_column
def load_carrying_share(load_idle_share: UExpr, load_no_prefill_share: UExpr, load_round_s: UExpr,
                        load_iteration_mean_s: UExpr, prefill_utilization: UExpr) -> UExpr:
    """The share of arrivals that meet an iteration carrying prefill: at least the share of time spent prefilling,
    rho (also when no sequence decodes beside it); decode-only iterations take the rest of the busy time."""
    p0, d = load_no_prefill_share, load_round_s
    return maximum(((1.0 - load_idle_share) * (1.0 - p0 * d / load_iteration_mean_s)).to(""), prefill_utilization)


@serving_column
def load_decode_only_share(load_idle_share: UExpr, load_carrying_share: UExpr) -> UExpr:
    return (1.0 - load_idle_share - load_carrying_share).to("")


@serving_column
def load_carrying_iteration_mean_s(load_round_s: UExpr, load_iteration_mean_s: UExpr, load_iteration_variance: UExpr,
                                   load_no_prefill_share: UExpr) -> UExpr:
    """E[L], the mean length-biased length of an iteration carrying prefill."""
    c = _cycle(load_round_s, load_iteration_mean_s, load_iteration_variance, load_no_prefill_share)
    d, p0 = c["d"], c["no_prefill"]
    return ((c["second"] - p0 * d * d) / (c["mean"] - p0 * d).to("s")).to("s")


@serving_column
def ttft_excess_mean_s(prefill_utilization: UExpr, load_carrying_iteration_mean_s: UExpr) -> UExpr:
    """E[Y] = (1/2 + rho) E[L] (``_ttft_quantile``)."""
    return (0.5 + prefill_utilization) * load_carrying_iteration_mean_s


@serving_column
def ttft_excess_variance(load_round_s: UExpr, load_iteration_mean_s: UExpr, load_iteration_variance: UExpr,
                         load_no_prefill_share: UExpr, load_carrying_iteration_mean_s: UExpr,
                         ttft_excess_mean_s: UExpr, prefill_stage_time_s: UExpr, request_rate_per_replica: UExpr,
                         prefill_utilization: UExpr) -> UExpr:
    """Var Y = (1/3 + rho + rho^2) E[L^2] + tau_s^2 lambda E[L] - E[Y]^2 (``_ttft_quantile``), in s^2."""
    c = _cycle(load_round_s, load_iteration_mean_s, load_iteration_variance, load_no_prefill_share)
    d, p0, mean_l, rho = c["d"], c["no_prefill"], load_carrying_iteration_mean_s, prefill_utilization
    tau, lam, mean_y = prefill_stage_time_s, request_rate_per_replica, ttft_excess_mean_s
    busy = (c["mean"] - p0 * d).to("s")
    second_l = maximum(((c["third"] - p0 * d ** 3) / busy).to("s**2"), mean_l * mean_l)
    return ((1.0 / 3.0 + rho + rho * rho) * second_l + tau * tau * lam * mean_l - mean_y * mean_y).to("s**2")


def _ttft_quantile(q: float, prefill_time_one_request_s: UExpr, load_round_s: UExpr, load_idle_share: UExpr,
                   load_decode_only_share: UExpr, load_carrying_share: UExpr, ttft_excess_mean_s: UExpr,
                   ttft_excess_variance: UExpr, scheduler_block_wait_s: UExpr) -> UExpr:
    """The q-quantile of TTFT under continuous batching (Orca iteration-level scheduling, Yu et al.
    2022; prefill chunks join the next iteration, Agrawal et al. 2024, Sarathi-Serve §4): an arrival
    waits for the iteration under way to end (the residual of a length-biased iteration, Kleinrock
    1975, Queueing Systems vol. 1, §5.2), then its prefill and those of the requests that arrived
    meanwhile share the next iteration with a decode pass; its first token comes at that
    iteration's end. Three cases, by the share of time an arrival meets each:
    - the replica is idle (no sequence decoding, P = e^-b with b = lambda G E[C], Poisson as in
      M/G/inf, and no prefill under way, 1 - rho): TTFT = tau_p;
    - a decode-only iteration (time share P(N = 0) d / E[C]): TTFT = tau_p + d (1 + U), U uniform;
    - an iteration carrying prefill, of length-biased length L: TTFT = d + tau_p + Y with
      Y = U L + tau_p Poisson(lambda L), E[Y] = (1/2 + rho) E[L],
      E[Y^2] = (1/3 + rho + rho^2) E[L^2] + tau_p^2 lambda E[L], its quantile from a gamma of those
      moments (Wilson & Hilferty 1931) at the normal quantile z(p) ~ 4.91 (p^0.14 - (1 - p)^0.14)
      (Tukey's lambda distribution, Joiner & Rosenblatt 1971).
    With pp stages the others' prompts stretch the iteration by the stage's tau_s each (Y's Poisson
    part, ``_cycle``) and the request's own prompt crosses every stage, tau_p: a prompt's first token
    leaves the last stage (1 - share) tau_p after its iteration's end (the simulation alike).
    The budget of tokens per iteration is taken as not binding (prompts shorter than the
    framework's max batched tokens); the simulation (pipeline/validation/simulate.py) keeps it. Under multi-step
    scheduling a busy replica's arrival also waits the rest of the block of steps under way (both busy cases,
    ``multi_step.scheduler_block_wait_s``, 0 at one step per call)."""
    tau, d, idle, decode_only, carrying = (prefill_time_one_request_s, load_round_s, load_idle_share,
                                           load_decode_only_share, load_carrying_share)
    mean_y, var_y = ttft_excess_mean_s, ttft_excess_variance
    p = ((q - idle - decode_only) / carrying).clip(1e-9, 1.0 - 1e-9)
    z = 4.91 * (p.power(lit(0.14)) - (1.0 - p).power(lit(0.14)))
    ninth = (var_y / (9.0 * mean_y * mean_y)).to("")  # 1 / (9 k) of the gamma
    y = mean_y * (1.0 - ninth + z * ninth.sqrt()).clip(lower=0) ** 3
    block = scheduler_block_wait_s
    return where(idle >= q, tau, where(idle + decode_only >= q, tau + d * (1.0 + (q - idle) / decode_only) + block,
                                       d + tau + y + block)).to("s")


@serving_column
def wait_probability(is_stable: Plain, load_idle_share: UExpr) -> UExpr:
    """P(an arrival finds its replica busy and waits for an iteration boundary): 1 - (1 - rho) e^-b,
    b = lambda G E[C] the sequences decoding (M/G/inf: Poisson; ``load_idle_share``)."""
    return only_where(is_stable, (1.0 - load_idle_share).to(""))


def _ttft_at(q: float):
    """The formula of TTFT's q-quantile under load (``_ttft_quantile``), null where the replica is unstable."""
    def quantile(is_stable: Plain, *mixture: UExpr) -> UExpr:
        return only_where(is_stable, _ttft_quantile(q, *mixture))
    return quantile


for _q, _name in ((0.5, "ttft_p50_s"), (0.99, "ttft_p99_s")):  # the median and P99 time to first token under load
    define_serving(_name, ["is_stable", "prefill_time_one_request_s", "load_round_s", "load_idle_share",
                           "load_decode_only_share", "load_carrying_share", "ttft_excess_mean_s",
                           "ttft_excess_variance", "scheduler_block_wait_s"], _ttft_at(_q))


@serving_column
def ttft_mean_s(is_stable: Plain, prefill_time_one_request_s: UExpr, load_round_s: UExpr,
                load_decode_only_share: UExpr, load_carrying_share: UExpr, ttft_excess_mean_s: UExpr,
                closed_loop_ttft_mean_s: UExpr, scheduler_block_wait_s: UExpr) -> UExpr:
    """Mean time to first token under load: the three cases of ``_ttft_quantile`` weighted by their
    shares, tau_p, tau_p + 3 d / 2 and d + tau_p + E[Y], the busy ones plus the rest of a multi-step block
    (``multi_step``); in a closed loop its own (``closed_loop``)."""
    tau, d = prefill_time_one_request_s, load_round_s
    mean = (tau + load_decode_only_share * 1.5 * d + load_carrying_share * (d + ttft_excess_mean_s)
            + (load_decode_only_share + load_carrying_share) * scheduler_block_wait_s)
    return where(closed_loop_ttft_mean_s.is_not_null(), closed_loop_ttft_mean_s, only_where(is_stable, mean.to("s")))


@serving_column
def tpot_clustering_s(prefill_utilization: UExpr, prefill_stage_time_s: UExpr, generated_tokens: UExpr) -> UExpr:
    """What a request's time per output token adds to the mean iteration because iteration lengths cluster:
    C' = d + tau_p Poisson(lambda C) is correlated from one iteration to the next with coefficient rho; a request
    arrives in a length-biased iteration and decodes in its wake (excess Var C / E[C] x rho / (1 - rho)), and more
    sequences decode while iterations are long (covariance of b and C, Var C / E[C] / (1 - rho)), both over its
    G - 1 tokens; with Var C / E[C] = tau_p^2 lambda / (1 - rho^2) they sum to rho tau_p / ((1 - rho)^2 (G - 1)).
    The batch fixed point uses the same term (``serving.tpot_clustering``); the simulation checks it. tau_p is the
    stage's tau_s with pp stages (``prefill_stage_time_s``): what an arrival stretches a round by."""
    rho, tau = prefill_utilization, prefill_stage_time_s
    tokens = ((generated_tokens / TOKEN).to("") - 1.0).clip(lower=1)
    return (rho * tau / ((1.0 - rho) * (1.0 - rho) * tokens)).to("s")


@serving_column
def tpot_at_mean_batch_s(itl_at_load_s: UExpr, scheduler_overhead_per_iteration_s: UExpr,
                         prefill_utilization: UExpr, tpot_clustering_s: UExpr) -> UExpr:
    """The iteration a request sees at the mean batch: a decode pass at the batch in flight (and the scheduler's
    overhead) stretched by the prefill chunks that share it, E[C] = d / (1 - rho), plus the clustering of
    iteration lengths (``tpot_clustering_s``)."""
    d = itl_at_load_s + scheduler_overhead_per_iteration_s.fill_null(0)
    return (d / (1.0 - prefill_utilization) + tpot_clustering_s).to("s")


@serving_column
def tpot_under_load_s(is_stable: Plain, tpot_at_mean_batch_s: UExpr, tpot_clustering_s: UExpr, load_batch: UExpr,
                      request_rate_per_replica: UExpr, generated_tokens: UExpr,
                      closed_loop_users_per_replica: UExpr) -> UExpr:
    """Mean time per output token under load. Open loop (Poisson arrivals): Little's law on the sequences
    decoding, E[min(k, cap)] = lambda_r G x the mean round a request sees (Little 1961; Kleinrock 1975, §2.1), with
    E[min(k, cap)] the birth-death chain's mean (``load_batch``, ``poisson_batch``): the request average over the
    chain's states, a request spending its G rounds in each state in proportion to how long it lasts, not the
    round at the mean batch; plus the clustering of iteration lengths, which the chain's rates (the mean iteration
    d(k) / (1 - rho)) leave out and the fluid batch holds. Where the chain is narrow (a decode rate that grows with
    the batch) this is ``tpot_at_mean_batch_s``, the fluid batch being the root of b = lambda_r G x it; where it is
    broad (a flat decode rate near capacity) they part (registry_data/research/r-srvlat/README.md). A closed loop
    (its batch a fixed point of its own) and no arrivals: ``tpot_at_mean_batch_s``."""
    lam = request_rate_per_replica
    little = (load_batch / (lam * (generated_tokens / TOKEN))).to("s") + tpot_clustering_s
    chain = closed_loop_users_per_replica.is_null() & (lam > 0)
    return only_where(is_stable, where(chain, little, tpot_at_mean_batch_s))


@serving_column
def batch_in_flight(is_stable: Plain, load_batch: UExpr) -> UExpr:
    """Sequences a replica decodes at once in steady state: the birth-death chain's mean (``poisson_batch``) in an
    open loop, Little's law's fixed point in a closed one."""
    return only_where(is_stable, load_batch)
