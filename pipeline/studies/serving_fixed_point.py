"""Wall 7's load fixed point solved rather than iterated (its inputs: ``pipeline.studies.serving_load``;
r-fixpt/README.md): the prompts one iteration prefills together and the batch in flight.

Wall 7's mean iteration under Poisson arrivals at lambda per replica is E[C] = d / (1 - lambda tau) (d the decode
pass and the scheduler's overhead, tau a prompt's prefill on the busiest pipeline stage); the prompts that arrive
during one iteration and the next prefills together are m = lambda E[C], at least 1, at most the budget-filling
``chunk`` (``prompts_per_iteration``). A prompt's price is its share of the pass of those m prompts,
tau(m) = s P(m) / m (P the prefill pass of m prompts, s the busiest stage's share of it), so m is a fixed point
m = F(m) = clip(lambda d / (1 - lambda s P(m) / m), 1, chunk) (F = chunk where lambda tau >= 1: arrivals queue).

Batching amortizes: P(m) / m does not grow with m (the weights are read once a pass), so F does not grow with m
and m - F(m) grows strictly: the fixed point is unique. Iterating m <- F(m) on a decreasing F converges only where
|F'| < 1 at the root; elsewhere it alternates with period 2 (r-mixamd/README.md: 103 of 468 latency rows move by
> 1 % between 6 and 7 steps). Instead: m >= F(m) exactly where h(m) = m - lambda s P(m) - lambda d >= 0 (multiply
by 1 - lambda tau > 0; where 1 - lambda tau <= 0, h < -lambda d < 0), so h < 0 left of the root and h is positive
and increasing right of it (m grows, 1 - lambda tau(m) does not fall). The root is bracketed by the passes already
priced: lo, the largest priced m with h <= 0, hi, the smallest with h > 0 (1 and ``chunk`` always priced: h(1) > 0
gives 1, a lone prompt; h(chunk) <= 0 gives the chunk). Each step takes the secant through the two passes priced
last where it falls inside (lo, hi), else the chord through lo and hi (regula falsi: P affine between them, the
closed form m (1 - lambda s b) = lambda (d + s a) of P = a + b m, r-mixamd's patch, is the first step), and prices
P at the new m. P is close to affine piecewise (a weight-bound pass, then a compute-bound one), on which the secant
is exact once two passes lie on the root's piece. d may change between steps (the batch in flight is solved
beside m): h is recomputed at every priced pass with the step's d, so the bracket follows it.

The batch in flight b solves b = L(b), Little's law (``next_load_batch``: lambda G (d(b) / (1 - lambda tau) + the
clustering term), clipped to [1, cap]) with d(b) the decode pass at b and tau the prompt price of the m solved at
d(b). Iterated from b = 1 it creeps near saturation, and m's feedback (b up, d up, m up, tau down, L down) makes the
composite map decreasing, so it alternated too. r(b) = L(b) - b >= 0 at b = 1 and <= 0 at the cap (L is clipped),
so a root is bracketed: each step prices the secant point of the last two batches priced, or the regula falsi
point of the bracket where the secant leaves it (its d, then m and tau there), and keeps the end whose residual
has the other sign, Illinois-halved where one end stays twice (``bracket_update``)."""

from __future__ import annotations

from pipeline.units import E


def prompts_bracketed(lam, share, decode_s, passes: list):
    """The next estimate of the prompts an iteration prefills together (expressions of the library in use):
    ``passes`` the priced (m, P(m)) pairs, (1, P(1)) and (chunk, P(chunk)) first, then one a step; ``lam``
    arrivals per second per replica, ``share`` the busiest stage's share of a pass, ``decode_s`` the iteration
    without prefill. The secant through the last two pairs (once a step has priced one), kept inside the
    bracket, else regula falsi (derivation: this module's docstring)."""
    h = [m - lam * share * p - lam * decode_s for m, p in passes]
    lo = E.max_horizontal([E.when(v <= 0.0).then(m) for (m, _), v in zip(passes, h, strict=True)])
    hi = E.min_horizontal([E.when(v > 0.0).then(m) for (m, _), v in zip(passes, h, strict=True)])
    h_lo = E.coalesce([E.when(m == lo).then(v) for (m, _), v in zip(passes, h, strict=True)])
    h_hi = E.coalesce([E.when(m == hi).then(v) for (m, _), v in zip(passes, h, strict=True)])
    chord = lo + (hi - lo) * h_lo / (h_lo - h_hi)
    step = chord
    if len(passes) > 2:
        (m_a, _), (m_b, _) = passes[-2:]
        h_a, h_b = h[-2:]
        slope = E.when(m_a != m_b).then((h_a - h_b) / (m_a - m_b))
        secant = m_a - h_a / slope
        step = E.when((slope > 0.0) & (secant > lo) & (secant < hi)).then(secant).otherwise(chord)
    chunk = passes[1][0]
    return E.when(hi.is_null()).then(chunk).when(lo.is_null()).then(1.0).otherwise(step)


def batch_bracketed(lo, r_lo, hi, r_hi, recent: tuple | None = None):
    """The next batch in flight to price (expressions): in the bracket [lo, hi] of r(b) = L(b) - b, r(lo) >= 0 >=
    r(hi) (``next_load_batch``'s L is clipped to [1, cap], so b = 1 and the cap bracket it), the secant through the
    two batches priced last (``recent``: b_a, r_a, b_b, r_b) where it falls strictly inside, else the regula falsi
    point (Dekker's safeguard); r(hi) >= 0, no root below the cap: the cap; r(lo) <= 0: lo."""
    chord = lo + (hi - lo) * r_lo / (r_lo - r_hi)
    if recent is not None:
        b_a, r_a, b_b, r_b = recent
        secant = b_b - r_b * (b_b - b_a) / E.when(r_b != r_a).then(r_b - r_a)
        chord = E.when((secant > lo) & (secant < hi)).then(secant).otherwise(chord)
    return E.when(r_hi >= 0.0).then(hi).when(r_lo <= 0.0).then(lo).otherwise(chord)


def bracket_update(lo, r_lo, hi, r_hi, side, b, r) -> dict:
    """The bracket after pricing ``b`` (residual ``r``): b replaces the end of r's sign; where the same end was
    replaced the step before (``side``: +1 lo, -1 hi, 0 none), the other end's residual is halved (Illinois), so
    a curved r does not keep one end fixed and converge linearly. Expressions by name: lo, r_lo, hi, r_hi, side."""
    up = r >= 0.0
    return {"lo": E.when(up).then(b).otherwise(lo),
            "r_lo": E.when(up).then(r).when(side < 0.0).then(r_lo / 2.0).otherwise(r_lo),
            "hi": E.when(up).then(hi).otherwise(b),
            "r_hi": E.when(up).then(E.when(side > 0.0).then(r_hi / 2.0).otherwise(r_hi)).otherwise(r),
            "side": E.when(up).then(1.0).otherwise(-1.0)}
