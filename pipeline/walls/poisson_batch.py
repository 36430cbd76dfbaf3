"""Wall 7's batch in flight under Poisson arrivals: the mean of the birth-death chain the batch is.

Little's law on the mean iteration gives the fluid batch b, the root of b = lambda G d(b) / (1 - rho_p)
(``pipeline.studies.serving_load.next_load_batch``). Under Poisson arrivals (MLPerf's Server loadgen, a serving
benchmark's request rate) the number k of sequences decoding is a birth-death chain: arrivals at lambda, completions
at mu(k) = k (1 - rho_p) / (G d(k)), a processor-sharing server whose total rate depends on k (each of the k sequences
needs G rounds of d(k), stretched by the prefill share rho_p). Its stationary law is pi(k) = pi(0) prod_{j <= k}
lambda / mu(j), insensitive to the distribution of the work (Kelly 1979, Reversibility and Stochastic Networks,
§1.3 birth-death processes and ch. 3 for the symmetric queue's insensitivity; Kleinrock 1975, Queueing Systems vol. 1,
§3.1, the birth-death equilibrium with state-dependent rates); the batch is E[min(k, cap)]:
beyond the cap, k - cap requests wait in a queue served at mu(cap) (a geometric tail of ratio r = lambda / mu(cap)).
Where the decode rate k / d(k) is flat (a compute-bound round) the chain wanders over the whole flat range and its
mean is well above the fluid root (registry_data/research/r-srvq/README.md §2; r-srvbd).

Closed form here. The round is taken affine on two pieces through the three batches wall 7 already prices, 1, the
fluid b and the cap (d(k) = alpha + beta k on each). With s = alpha / beta and x = lambda G beta / (1 - rho_p), pi on
a piece is x^k (k + s)! / (k! s!) times a constant, a negative binomial (mean (s + 1) x / (1 - x) where the piece is
unbounded: the fluid root x s / (1 - x) plus x / (1 - x)). Its partial sums are incomplete beta functions, which a
plan has no expression for, so ln pi is integrated in closed form instead: sum_{j=a+1}^{k} ln g(j) by the midpoint
rule, the integral of ln of a linear function over [a + 1/2, k + 1/2] (``mean_log``), and the sums of pi and k pi over
k = 1..cap by the integral over [1/2, cap + 1/2] (each state's cell of width 1, with the Euler-Maclaurin end term;
state 0 as it is), ln pi linear between ``NODES`` nodes a side of b, spaced geometrically from b at the chain's own
width there (1 / sqrt(-(ln pi)''), a Poisson's sqrt(b) at light load) out to the ends: fixed columns, no loop over
configurations.
"""

from __future__ import annotations

from pipeline.units import E
from pipeline.walls.closed_loop import unstaged

NODES = 12  # nodes of ln pi each side of the fluid batch (tests/walls/test_poisson_batch.py: the exact sum)
_FLAT = 1e-9  # a relative width below which ln is taken as constant over an interval


def mean_log(u0, u1):
    """The mean of ln u over an interval where u runs linearly from u0 to u1 (both > 0):
    (u1 ln u1 - u0 ln u0) / (u1 - u0) - 1, and ln u0 where they meet (plain numbers or expressions)."""
    wide = (u1 - u0).abs() > _FLAT * (u0 + u1)
    return E.when(wide).then((u1 * u1.log() - u0 * u0.log()) / (u1 - u0) - 1.0).otherwise(((u0 + u1) * 0.5).log())


def _log_pi(k, b, log_rate, alpha, beta):
    """ln pi(k) - ln pi(b) on a piece where the round is alpha + beta j: the integral from b to k of
    ln(lambda G / (1 - rho_p)) + ln d(t + 1/2) - ln(t + 1/2) (the midpoint rule of sum_{j=b+1}^{k})."""
    tiny = 1e-300
    rounds = mean_log((alpha + beta * (b + 0.5)).clip(lower_bound=tiny),
                      (alpha + beta * (k + 0.5)).clip(lower_bound=tiny))
    return (k - b) * (log_rate + rounds - mean_log(b + 0.5, (k + 0.5).clip(lower_bound=tiny)))


def _segment(k0, f0, k1, f1):
    """The integrals of pi and k pi over [k0, k1] with ln pi linear from f0 to f1 (pi = exp f, already scaled)."""
    w0, w1, df, width = f0.exp(), f1.exp(), f1 - f0, k1 - k0
    steep = df.abs() > 1e-6
    z = E.when(steep).then(width * (w1 - w0) / df).otherwise(width * (w0 + w1) * 0.5)
    m = E.when(steep).then(width * (k1 * w1 - k0 * w0 - z) / df).otherwise(width * (k0 * w0 + k1 * w1) * 0.5)
    return z, m


def _slope(k, log_rate, alpha, beta):
    """(ln pi)'(k): ln(lambda G d(k + 1/2) / ((1 - rho_p) (k + 1/2)))."""
    return log_rate + (alpha + beta * (k + 0.5)).log() - (k + 0.5).log()


def poisson_batch(lam, generated, rho_p, cap, fluid, round_one, round_fluid, round_cap, nodes: int = NODES,
                  stage=unstaged):
    """E[min(k, cap)] of the chain above (expressions of the library in use, ``units.E``): ``lam`` arrivals per
    replica, ``generated`` tokens per request, ``rho_p`` the prefill share, ``cap`` the largest batch, ``fluid`` the
    fluid batch and the round (decode pass and the scheduler's overhead) at 1, at ``fluid`` and at ``cap``. The cap
    where the chain is unstable (rho_p >= 1 or lambda >= mu(cap)). ``stage``: as ``largest_cubic_root``'s.
    States 1..cap are the integral of pi over [1/2, cap + 1/2] less the midpoint rule's end term
    (h'(cap + 1/2) - h'(1/2)) / 24 (the Euler-Maclaurin formula's midpoint form; Abramowitz & Stegun 1964, ch. 23);
    state 0 is added as it is."""
    b = fluid.clip(1.0, cap)
    low = E.when(b > 1.0).then((round_fluid - round_one) / (b - 1.0)).otherwise(0.0)
    high = E.when(cap > b).then((round_cap - round_fluid) / (cap - b)).otherwise(0.0)
    s = stage(b=b, log_rate=(lam * generated / (1.0 - rho_p)).log(), beta_low=low, alpha_low=round_one - low,
              beta_high=high, alpha_high=round_fluid - high * b)
    b, log_rate = s["b"], s["log_rate"]
    sides = {}
    for side, sign, end in (("low", -1.0, 0.5), ("high", 1.0, cap + 0.5)):
        alpha, beta = s[f"alpha_{side}"], s[f"beta_{side}"]
        # the chain's width at b: -(ln pi)'' = 1 / (b + 1/2) - beta / d(b + 1/2) (a Poisson's 1 / b at a flat round)
        bend = 1.0 / (b + 0.5) - beta / (alpha + beta * (b + 0.5))
        width = (1.0 / bend.clip(lower_bound=1e-12).sqrt()).clip(0.5, 1e9)
        span = ((end - b) * sign).clip(lower_bound=0.0)
        w = stage(**{f"width_{side}": width, f"ratio_{side}": (1.0 + span / width).log()})
        width, ratio = w[f"width_{side}"], w[f"ratio_{side}"]
        # the nodes staged: ln pi reads each about ten times (``_log_pi``), a plan would expand every reading
        at = stage(**{f"k_{side}{i}": b + sign * width * ((ratio * (i / (nodes - 1))).exp() - 1.0)
                      for i in range(1, nodes)})
        ks = [at[f"k_{side}{i}"] for i in range(1, nodes)]
        sides[side] = ks, [_log_pi(k, b, log_rate, alpha, beta) for k in ks]
    zero = _log_pi(b * 0.0, b, log_rate, s["alpha_low"], s["beta_low"])
    at_cap = _log_pi(cap, b, log_rate, s["alpha_high"], s["beta_high"])
    names = {f"k{i}": k for i, k in enumerate(sides["low"][0][::-1] + [b] + sides["high"][0])}
    # staged before their maximum: a plan would otherwise expand every ln pi into each of the scaled values below
    lp = stage(**{f"g{i}": g for i, g in enumerate(sides["low"][1][::-1] + [b * 0.0] + sides["high"][1])},
               g_zero=zero, g_cap=at_cap)
    logs, zero, at_cap = [lp[f"g{i}"] for i in range(len(names))], lp["g_zero"], lp["g_cap"]
    top = stage(top=E.max_horizontal(*logs, zero, at_cap))["top"]
    staged = stage(**names, **{f"f{i}": f - top for i, f in enumerate(logs)}, f_zero=zero - top, f_cap=at_cap - top,
                   r=(log_rate + round_cap.log() - cap.log()).exp(),
                   slope_low=_slope(b * 0.0 + 0.5, log_rate, s["alpha_low"], s["beta_low"]),
                   slope_high=_slope(cap + 0.5, log_rate, s["alpha_high"], s["beta_high"]))
    ks, fs = [staged[f"k{i}"] for i in range(len(names))], [staged[f"f{i}"] for i in range(len(names))]
    parts = [_segment(k0, f0, k1, f1) for k0, f0, k1, f1 in zip(ks, fs, ks[1:], fs[1:])]
    w_low, w_high, g_low, g_high = fs[0].exp(), fs[-1].exp(), staged["slope_low"], staged["slope_high"]
    end_z = (g_high * w_high - g_low * w_low) / 24.0  # h = pi, h' = (ln pi)' pi
    end_m = (w_high * (1.0 + ks[-1] * g_high) - w_low * (1.0 + ks[0] * g_low)) / 24.0  # h = k pi
    r = staged["r"]
    tail = staged["f_cap"].exp() * r / (1.0 - r)  # states cap + 1, cap + 2, ...: each decodes cap sequences
    z = E.sum_horizontal(*(z for z, _ in parts)) - end_z + staged["f_zero"].exp() + tail
    mean = (E.sum_horizontal(*(m for _, m in parts)) - end_m + cap * tail) / z
    stable = (rho_p < 1.0) & (r < 1.0)
    return E.when(stable).then(mean).otherwise(cap).clip(1.0, cap)
