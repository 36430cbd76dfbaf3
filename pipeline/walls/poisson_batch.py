"""Wall 7's batch in flight under Poisson arrivals: the mean of the birth-death chain the batch is.

Little's law on the mean iteration gives the fluid batch b, the root of b = lambda G d(b) / (1 - rho_p)
(``pipeline.studies.serving_load.next_load_batch``). Under Poisson arrivals (MLPerf's Server loadgen, a serving
benchmark's request rate) the number k of sequences decoding is a birth-death chain: arrivals at lambda, completions
at mu(k) = k (1 - rho_p) / (G d(k)), a processor-sharing server whose total rate depends on k (each of the k sequences
needs G rounds of d(k), stretched by the prefill share rho_p). Its stationary law is pi(k) = pi(0) prod_{j <= k}
lambda / mu(j), insensitive to the distribution of the work (Kelly 1979, Reversibility and Stochastic Networks,
§1.3 birth-death processes and ch. 3 for the symmetric queue's insensitivity; Kleinrock 1975, Queueing Systems vol. 1,
§3.1, the birth-death equilibrium with state-dependent rates); the batch is E[min(k, cap)]:
beyond the cap, k - cap requests wait in a queue served at the replica's capacity mu, wall 7's rate with its cap
decoding and the queued prompts batched to the token budget (a geometric tail of ratio r = lambda / mu; so the chain
is stable where wall 7 is, ``tail_latency.is_stable``; r-srvq's exact sum alike; r-srvload/README.md).
Where the decode rate k / d(k) is flat (a compute-bound round) the chain wanders over the whole flat range and its
mean is well above the fluid root (registry_data/research/r-srvq/README.md §2; r-srvbd).

Closed form here. The round is taken affine on pieces through the batches wall 7 prices: 1, the fluid b and the cap,
and a fourth where given (d(k) = alpha + beta k on each; wall 7 prices the round again at the chain's mean on the
three and passes that: the round's knee, where a decode pass turns compute-bound or an MoE's experts are all read,
bends it between them; r-knee/README.md). With s = alpha / beta and x = lambda G beta / (1 - rho_p), pi on
a piece is x^k (k + s)! / (k! s!) times a constant, a negative binomial (mean (s + 1) x / (1 - x) where the piece is
unbounded: the fluid root x s / (1 - x) plus x / (1 - x)). Its partial sums are incomplete beta functions, which a
plan has no expression for, so ln pi is integrated in closed form instead: sum_{j=a+1}^{k} ln g(j) by the midpoint
rule, the integral of ln of a linear function over each piece's share of [a + 1/2, k + 1/2] (``mean_log``), and the
sums of pi and k pi over k = 1..cap by the integral over [1/2, cap + 1/2] (each state's cell of width 1, with the
Euler-Maclaurin end term; state 0 as it is), ln pi linear between ``NODES`` nodes a side of the chain's mode c (the
largest root of lambda G d(k) / (1 - rho_p) = k on a piece, b where none), spaced geometrically from c at the chain's
width there (1 / sqrt(-(ln pi)''), a Poisson's sqrt(c) at light load) out to the ends: fixed columns, no loop over
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


def _pieces(points):
    """The round's affine pieces through ``points`` [(batch, round)], in increasing batch: [(start, end, alpha,
    beta)], each from its first batch to the next, the first and the last unbounded outwards (no width: slope 0)."""
    pieces = []
    for i, ((x0, y0), (x1, y1)) in enumerate(zip(points, points[1:])):
        beta = E.when(x1 - x0 > 0.0).then((y1 - y0) / (x1 - x0)).otherwise(0.0)
        start = y0 * 0.0 - 1e12 if i == 0 else x0
        end = y0 * 0.0 + 1e12 if i == len(points) - 2 else x1
        pieces.append((start, end, y0 - beta * x0, beta))
    return pieces


def _log_pi(k, b, log_rate, pieces):
    """ln pi(k) - ln pi(b): the integral from b to k of ln(lambda G / (1 - rho_p)) + ln d(t + 1/2) - ln(t + 1/2) (the
    midpoint rule of sum_{j=b+1}^{k}), ln d integrated piece by piece (``mean_log`` on each piece's share)."""
    tiny = 1e-300
    u0, u1 = b + 0.5, (k + 0.5).clip(lower_bound=tiny)
    lo, hi = E.min_horizontal(u0, u1), E.max_horizontal(u0, u1)
    rounds = []
    for start, end, alpha, beta in pieces:
        a, z = lo.clip(start, end), hi.clip(start, end)
        rounds.append((z - a) * mean_log((alpha + beta * a).clip(lower_bound=tiny),
                                         (alpha + beta * z).clip(lower_bound=tiny)))
    sign = E.when(u1 >= u0).then(1.0).otherwise(-1.0)
    return (k - b) * (log_rate - mean_log(u0, u1)) + sign * E.sum_horizontal(*rounds)


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
                  stage=unstaged, knee=None, round_knee=None, capacity=None):
    """E[min(k, cap)] of the chain above (expressions of the library in use, ``units.E``): ``lam`` arrivals per
    replica, ``generated`` tokens per request, ``rho_p`` the prefill share, ``cap`` the largest batch, ``fluid`` the
    fluid batch and the round (decode pass and the scheduler's overhead) at 1, at ``fluid`` and at ``cap``; and, if
    given, at a fourth batch ``knee`` (``round_knee``), a third affine piece. ``capacity``, if given, is the rate the
    queue beyond the cap is served at (requests/s; wall 7's ``capacity_requests_per_s``: once arrivals queue, the
    scheduler batches their prompts to the token budget), else mu(cap) of the chain's own rates. The cap where the
    chain is unstable (rho_p >= 1 or lambda at or above that rate). ``stage``: as ``largest_cubic_root``'s.
    States 1..cap are the integral of pi over [1/2, cap + 1/2] less the midpoint rule's end term
    (h'(cap + 1/2) - h'(1/2)) / 24 (the Euler-Maclaurin formula's midpoint form; Abramowitz & Stegun 1964, ch. 23);
    state 0 is added as it is."""
    b = fluid.clip(1.0, cap)
    points = [(b * 0.0 + 1.0, round_one), (b, round_fluid), (cap, round_cap)]
    if knee is not None:  # the lower and the higher of b and the knee
        knee = knee.clip(1.0, cap)
        lower = knee < b
        points[1:2] = [(E.when(lower).then(knee).otherwise(b), E.when(lower).then(round_knee).otherwise(round_fluid)),
                       (E.when(lower).then(b).otherwise(knee), E.when(lower).then(round_fluid).otherwise(round_knee))]
    fields = ("start", "end", "alpha", "beta")
    s = stage(b=b, log_rate=(lam * generated / (1.0 - rho_p)).log(),
              **{f"{n}{i}": v for i, p in enumerate(_pieces(points)) for n, v in zip(fields, p)})
    piece = [tuple(s[f"{n}{i}"] for n in fields) for i in range(len(points) - 1)]
    b, log_rate = s["b"], s["log_rate"]
    # the nodes' centre: the chain's mode, where lambda G d(k) / (1 - rho_p) = k on a piece where x beta < 1 (ln pi
    # rising into it, falling out), the largest such; b where there is none (a piece where the chain only rises)
    x, roots = log_rate.exp(), []
    for i, (start, end, alpha, beta) in enumerate(piece):
        root = x * alpha / (1.0 - x * beta)
        lo, hi = (b * 0.0 + 1.0 if i == 0 else start), (cap if i == len(piece) - 1 else end)
        roots.append(E.when((x * beta < 1.0) & (root >= lo) & (root <= hi)).then(root).otherwise(0.0))
    mode = E.max_horizontal(*roots)
    c = stage(c=E.when(mode >= 1.0).then(mode).otherwise(b))["c"]
    alpha, beta = piece[-1][2], piece[-1][3]  # the round's piece at c
    for start, end, a, z in piece[-2::-1]:
        alpha, beta = E.when(c < end).then(a).otherwise(alpha), E.when(c < end).then(z).otherwise(beta)
    # the chain's width at c: -(ln pi)'' = 1 / (c + 1/2) - beta / d(c + 1/2) (a Poisson's 1 / c at a flat round)
    bend = 1.0 / (c + 0.5) - beta / (alpha + beta * (c + 0.5))
    width = stage(width=(1.0 / bend.clip(lower_bound=1e-12).sqrt()).clip(0.5, 1e9))["width"]
    sides = {}
    for side, sign, end in (("low", -1.0, 0.5), ("high", 1.0, cap + 0.5)):
        span = ((end - c) * sign).clip(lower_bound=0.0)
        ratio = stage(**{f"ratio_{side}": (1.0 + span / width).log()})[f"ratio_{side}"]
        # the nodes staged: ln pi reads each about ten times (``_log_pi``), a plan would expand every reading
        at = stage(**{f"k_{side}{i}": c + sign * width * ((ratio * (i / (nodes - 1))).exp() - 1.0)
                      for i in range(1, nodes)})
        ks = [at[f"k_{side}{i}"] for i in range(1, nodes)]
        sides[side] = ks, [_log_pi(k, c, log_rate, piece) for k in ks]
    zero = _log_pi(c * 0.0, c, log_rate, piece)
    at_cap = _log_pi(cap, c, log_rate, piece)
    names = {f"k{i}": k for i, k in enumerate(sides["low"][0][::-1] + [c] + sides["high"][0])}
    # staged before their maximum: a plan would otherwise expand every ln pi into each of the scaled values below
    lp = stage(**{f"g{i}": g for i, g in enumerate(sides["low"][1][::-1] + [c * 0.0] + sides["high"][1])},
               g_zero=zero, g_cap=at_cap)
    logs, zero, at_cap = [lp[f"g{i}"] for i in range(len(names))], lp["g_zero"], lp["g_cap"]
    top = stage(top=E.max_horizontal(*logs, zero, at_cap))["top"]
    staged = stage(**names, **{f"f{i}": f - top for i, f in enumerate(logs)}, f_zero=zero - top, f_cap=at_cap - top,
                   r=(log_rate + round_cap.log() - cap.log()).exp() if capacity is None else lam / capacity,
                   slope_low=_slope(c * 0.0 + 0.5, log_rate, *piece[0][2:]),
                   slope_high=_slope(cap + 0.5, log_rate, *piece[-1][2:]))
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
