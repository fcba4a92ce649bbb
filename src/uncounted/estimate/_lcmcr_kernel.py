"""Numba-compiled Gibbs sampler of the LCMCR model, working on capture-pattern counts.

Model (Manrique-Vallier 2016): K latent classes with weights from a truncated stick-breaking
process with concentration alpha ~ Gamma(a_alpha, b_alpha); within class k, list j records a
person with probability lambda[j, k] ~ Beta(1, 1); prior p(N) ∝ 1/N, truncated at N <= 21 n
as in the R package LCMCR.

Why pattern counts: given the parameters, the persons who share a capture pattern have the
same class probabilities, so their class memberships are ONE multinomial draw. An iteration
costs O(patterns × K × lists), whatever the number of persons. The unobserved persons are
the all-zero pattern: their number n0 given the parameters is negative binomial (the 1/N
prior makes it NB(n, 1 − p0) with p0 the probability of no capture), drawn jointly with their
classes (n0 first, then their multinomial), which is a valid blocked Gibbs step. Start and scan
order follow LCMCR's C++ (``run_chain``).

Compiled with ``cache=True`` so the CLI does not pay compilation on every call, and
``nogil=True`` so chains run in parallel threads. Random variates come from ``_rng`` (one
xoshiro256** state per chain; exact binomial, gamma and Poisson samplers that cost a constant
few tens of nanoseconds whatever their parameters).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from uncounted.estimate._rng import (
    NO_ALLOC,
    binomial,
    gamma_ge1,
    log_gamma,
    new_state,
    poisson,
    uniform,
    uniform_pos,
)

SMALL_MULTINOMIAL = 16  # this many persons left or fewer: placed one by one, not by binomials
WARM_UP = 500  # LCMCR's warm-up iterations (alpha held at 0.3 / K), run before the burn-in


@njit(**NO_ALLOC)
def _categorical(rng, count, cum, order, first, out):
    """Add ``count`` categorical draws over the classes ``order[first:]`` into ``out``, given
    the suffix sums cum[i] = Σ_{t >= i} w[order[t]]: a member goes to order[i] for the first
    i with cum[i + 1] < cum[first] − u, u uniform on [0, cum[first]). The classes are sorted
    by decreasing weight, so the scan usually stops at once."""
    last = order.shape[0] - 1
    top = cum[first]
    for _ in range(count):
        v = top - uniform(rng) * top
        i = first
        while i < last and cum[i + 1] >= v:
            i += 1
        out[order[i]] += 1


@njit(**NO_ALLOC)
def _multinomial(rng, total, weight, out, order, cum):
    """Add a Multinomial(total, weight / Σ weight) draw into ``out`` (weights unnormalised).

    Conditional binomials from the heaviest class down, X_k ~ Bin(left, w_k / Σ_{i>=k} w_i)
    (suffix sums added from the lightest class up, so no cancellation), until at most
    ``SMALL_MULTINOMIAL`` persons are left; those are then drawn one by one from the classes
    not yet drawn, which is their exact conditional distribution. A binomial costs 30–50 ns,
    a categorical draw 1–3 ns: with one class holding most of a pattern's persons, a pattern
    of thousands costs one or two binomials and a few categorical draws. ``order`` is any
    permutation of the classes, kept between calls: re-sorting the last pattern's order costs
    little, and any order gives the same distribution.
    """
    n_classes = weight.shape[0]
    if total > SMALL_MULTINOMIAL:
        for i in range(1, n_classes):  # insertion sort by decreasing weight
            j = i
            while j > 0 and weight[order[j - 1]] < weight[order[j]]:
                order[j - 1], order[j] = order[j], order[j - 1]
                j -= 1
    acc = 0.0
    for i in range(n_classes - 1, -1, -1):  # cum[i] = Σ of the weights from order[i] on
        acc += weight[order[i]]
        cum[i] = acc
    left = total
    for i in range(n_classes - 1):
        if left <= SMALL_MULTINOMIAL:
            _categorical(rng, left, cum, order, i, out)
            return
        k = order[i]
        x = binomial(rng, left, weight[k] / cum[i])
        out[k] += x
        left -= x
    out[order[n_classes - 1]] += left


@njit(**NO_ALLOC)
def _beta(rng, ones, members):
    """Beta(1 + ones, 1 + members - ones), with exact shortcuts for the common cases:
    an empty class (uniform) and a list that recorded nobody of the class
    (Beta(1, b) = 1 - U^(1/b)); classes are mostly empty or small, so this halves the cost."""
    if members == 0:
        return uniform(rng)
    if ones == 0:
        return -math.expm1(math.log(uniform_pos(rng)) / (1.0 + members))
    if ones == members:
        return math.exp(math.log(uniform_pos(rng)) / (1.0 + members))
    g1 = gamma_ge1(rng, 1.0 + ones)
    return g1 / (g1 + gamma_ge1(rng, 1.0 + members - ones))


@njit(**NO_ALLOC)
def log_beta_pair(rng, a, b):
    """(log V, log(1 − V)) for V ~ Beta(a, b), from two log-gamma draws (as LCMCR's C++).

    Why: the stick-breaking weights need log(1 − V) when V is within 1e-16 of 1, which
    happens most of the time once alpha is below about 0.05 (Beta(1 + m, alpha));
    ``np.random.beta`` then returns exactly 1, and a clamp at 1 − 1e-16 caps log(1 − V)
    at −37 where its true mean is −1/alpha (−100 at alpha = 0.01), biasing alpha upwards."""
    g1 = log_gamma(rng, a)
    g2 = log_gamma(rng, b)
    top = max(g1, g2)
    total = top + np.log(np.exp(g1 - top) + np.exp(g2 - top))
    return g1 - total, g2 - total


@njit(**NO_ALLOC)
def _stick_breaking(rng, members, alpha, log_pi):
    """Draw the truncated stick-breaking weights given class counts, in logs; return
    Σ_k<K log(1 − V_k), which the concentration update needs."""
    n_classes = log_pi.shape[0]
    tail = 0
    for k in range(n_classes):
        tail += members[k]
    log_rest = 0.0
    for k in range(n_classes - 1):
        tail -= members[k]
        log_v, log_1mv = log_beta_pair(rng, 1.0 + members[k], alpha + tail)
        log_pi[k] = log_v + log_rest
        log_rest += log_1mv
    log_pi[n_classes - 1] = log_rest
    return log_rest


@njit(**NO_ALLOC)
def draw_alpha(rng, a_alpha, b_alpha, n_classes, log_rest):
    """The stick-breaking concentration given the sticks: Gamma(a + K − 1, b − Σ log(1 − V_k)),
    kept above 1e-10."""
    alpha = math.exp(log_gamma(rng, a_alpha + n_classes - 1)) / (b_alpha - log_rest)
    return max(alpha, 1e-10)


@njit(**NO_ALLOC)
def _log_space_probs(base, ratio, ones_ptr, ones_idx, c, prob):
    """Unnormalised class probabilities of pattern c computed in logs (largest 1)."""
    n_classes = base.shape[0]
    best = -np.inf
    for k in range(n_classes):
        s = base[k]
        for t in range(ones_ptr[c], ones_ptr[c + 1]):
            s += np.log(ratio[ones_idx[t], k])
        prob[k] = s
        if s > best:
            best = s
    for k in range(n_classes):
        prob[k] = np.exp(prob[k] - best)


@njit(**NO_ALLOC)
def _class_terms(lam, log_pi, base, ratio, scaled):
    """Per class: base[k] = log π_k + Σ_j log(1 − λ_jk) (the log-probability of the all-zero
    pattern), scaled[k] = exp(base[k] − max base), and ratio[j, k] = λ_jk / (1 − λ_jk); a
    pattern's class weights are scaled[k] × Π over its lists of ratio[j, k]. Returns p0, the
    probability of not being recorded at all."""
    n_lists, n_classes = lam.shape
    best = -np.inf
    for k in range(n_classes):
        s = log_pi[k]
        for j in range(n_lists):
            s += math.log1p(-lam[j, k])
            ratio[j, k] = lam[j, k] / (1.0 - lam[j, k])
        base[k] = s
        best = max(best, s)
    p0 = 0.0
    for k in range(n_classes):
        scaled[k] = math.exp(base[k] - best)
        p0 += math.exp(base[k])
    return p0


@njit(**NO_ALLOC)
def _truncated_n0(rng, n_obs, p0, cap):
    """n0 ~ NB(n, 1 − p0) truncated to n0 <= cap, as LCMCR's ``sam_n0`` (which redraws until
    n0 <= 20 n: the 1/N prior truncated at N <= 21 n).

    NB(n, 1 − p0) is drawn as Poisson(Gamma(n) · p0 / (1 − p0)); redrawn while above the cap.
    If 64 draws in a row exceed it (the untruncated mass below the cap is then tiny, so the
    mode lies above the cap), the truncated distribution is drawn by inversion from the cap
    down, with pmf(k − 1) / pmf(k) = k / ((n + k − 1) p0), until the terms are negligible."""
    if p0 <= 0.0:
        return 0
    if p0 >= 1.0:
        return cap
    for _ in range(64):
        n0 = poisson(rng, gamma_ge1(rng, n_obs) * (p0 / (1.0 - p0)))
        if n0 <= cap:
            return n0
    mode = (n_obs - 1.0) * p0 / (1.0 - p0)
    total, term, k = 0.0, 1.0, cap
    while True:
        total += term
        if k == 0 or (k < mode and term < 1e-17 * total):
            break
        term *= k / ((n_obs + k - 1.0) * p0)
        k -= 1
    u = uniform(rng) * total
    term, k = 1.0, cap
    while u >= term and k > 0:
        u -= term
        term *= k / ((n_obs + k - 1.0) * p0)
        k -= 1
    return k


@njit(cache=True, nogil=True)
def _sort_classes_by_weight(lam, log_pi, members0, order):
    """Relabel the classes by decreasing weight, as LCMCR does once after its warm-up (the
    stick-breaking prior favours heavy classes first); the unobserved persons' classes move
    with their labels."""
    n_classes = log_pi.shape[0]
    for i in range(n_classes):  # insertion sort of class indices by decreasing weight
        order[i] = i
        j = i
        while j > 0 and log_pi[order[j - 1]] < log_pi[order[j]]:
            order[j - 1], order[j] = order[j], order[j - 1]
            j -= 1
    old_lam = lam.copy()
    old_log_pi = log_pi.copy()
    old_members0 = members0.copy()
    for k in range(n_classes):
        lam[:, k] = old_lam[:, order[k]]
        log_pi[k] = old_log_pi[order[k]]
        members0[k] = old_members0[order[k]]


@njit(cache=True, nogil=True)
def run_chain(
    ones_ptr,
    ones_idx,
    counts,
    n_lists,
    n_classes,
    a_alpha,
    b_alpha,
    burn_in,
    samples,
    thin,
    seed,
    lam_init,
    out_n,
    out_alpha,
    out_classes,
):
    """Run one chain; write ``samples`` thinned draws of N, alpha and occupied classes.

    Patterns are given in CSR form: pattern c records lists ones_idx[ones_ptr[c]:ones_ptr[c+1]].
    Start and scan are LCMCR's (its C++ ``Initializes`` and ``Update``): every class gets
    capture probability ``lam_init[j]`` = n_j / n on list j, class weights from one draw of
    the stick-breaking prior with concentration 1, n0 = 0; alpha is held at 0.3 / K for
    ``WARM_UP`` iterations, then the classes are relabelled by weight. Each iteration draws
    the observed persons' classes, then lambda (counting the unobserved persons of the last
    iteration as zeros), the weights, n0 and the unobserved persons' classes, then alpha.
    Why it matters: on sparse many-list tables the posterior of N has separated modes that
    the Gibbs sampler rarely crosses, so the start and the path decide which one a chain
    reports (docs/estimation.md).
    """
    rng = new_state(seed)
    n_patterns = counts.shape[0]
    n_obs = 0
    for c in range(n_patterns):
        n_obs += counts[c]
    lam = np.empty((n_lists, n_classes))
    for j in range(n_lists):
        for k in range(n_classes):
            lam[j, k] = lam_init[j]
    log_pi = np.empty(n_classes)
    alpha = 0.3 / n_classes
    n0 = 0
    members0 = np.zeros(n_classes, dtype=np.int64)  # classes of the unobserved persons
    # LCMCR's starting weights (its ``Initializes``): one draw of the stick-breaking prior
    # with concentration 1, no member yet (LCMCR also fills ``nuK``, which it never reads)
    _stick_breaking(rng, members0, 1.0, log_pi)
    members = np.zeros(n_classes, dtype=np.int64)  # of the observed ones
    totals = np.zeros(n_classes, dtype=np.int64)
    base = np.empty(n_classes)
    scaled = np.empty(n_classes)
    ratio = np.empty((n_lists, n_classes))
    prob = np.empty(n_classes)
    ones_k = np.zeros((n_lists, n_classes), dtype=np.int64)
    pattern_members = np.zeros(n_classes, dtype=np.int64)
    order = np.arange(n_classes)
    cum = np.empty(n_classes)
    _class_terms(lam, log_pi, base, ratio, scaled)
    total_iter = WARM_UP + burn_in + samples * thin
    stored = 0
    for it in range(total_iter):
        if it == WARM_UP:
            _sort_classes_by_weight(lam, log_pi, members0, order)
            _class_terms(lam, log_pi, base, ratio, scaled)
        # class memberships of the observed, one multinomial per pattern: products in linear
        # space (vectorised over classes), in logs when they under- or overflow or when a
        # class's scaled weight may have underflowed to 0 (bases over 600 apart)
        wide = base.max() - base.min() > 600.0
        members[:] = 0
        ones_k[:, :] = 0
        for c in range(n_patterns):
            prob[:] = scaled
            for t in range(ones_ptr[c], ones_ptr[c + 1]):
                prob *= ratio[ones_idx[t]]
            norm = prob.sum()
            if wide or not (norm > 1e-280 and norm < 1e280):
                _log_space_probs(base, ratio, ones_ptr, ones_idx, c, prob)
            pattern_members[:] = 0
            _multinomial(rng, counts[c], prob, pattern_members, order, cum)
            for k in range(n_classes):
                m = pattern_members[k]
                if m > 0:
                    members[k] += m
                    for t in range(ones_ptr[c], ones_ptr[c + 1]):
                        ones_k[ones_idx[t], k] += m
        # capture probabilities, Beta(1 + ones, 1 + zeros) with the unobserved persons of the
        # last iteration among the zeros; then the weights
        for k in range(n_classes):
            totals[k] = members[k] + members0[k]
            for j in range(n_lists):
                lam[j, k] = min(max(_beta(rng, ones_k[j, k], totals[k]), 1e-300), 1.0 - 1e-16)
        log_rest = _stick_breaking(rng, totals, alpha, log_pi)
        # the unobserved: n0 ~ NB(n, 1 - p0) truncated at 20 n, then their classes
        p0 = _class_terms(lam, log_pi, base, ratio, scaled)
        n0 = _truncated_n0(rng, n_obs, p0, 20 * n_obs)
        members0[:] = 0
        _multinomial(rng, n0, scaled, members0, order, cum)
        if it >= WARM_UP:  # LCMCR keeps alpha at its start value during the warm-up
            alpha = draw_alpha(rng, a_alpha, b_alpha, n_classes, log_rest)
        after = it - WARM_UP - burn_in
        if after >= 0 and (after + 1) % thin == 0:
            out_n[stored] = n_obs + n0
            out_alpha[stored] = alpha
            occupied = 0
            for k in range(n_classes):
                if members[k] + members0[k] > 0:
                    occupied += 1
            out_classes[stored] = occupied
            stored += 1
    return stored
