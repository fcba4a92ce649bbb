"""Numba-compiled Gibbs sampler of the LCMCR model, working on capture-pattern counts.

Model (Manrique-Vallier 2016): K latent classes with weights from a truncated stick-breaking
process with concentration alpha ~ Gamma(a_alpha, b_alpha); within class k, list j records a
person with probability lambda[j, k] ~ Beta(1, 1); prior p(N) ∝ 1/N.

Why pattern counts: given the parameters, the persons who share a capture pattern have the
same class probabilities, so their class memberships are ONE multinomial draw. An iteration
costs O(patterns × K × lists), whatever the number of persons. The unobserved persons are
the all-zero pattern: their number n0 given the parameters is negative binomial (the 1/N
prior makes it NB(n, 1 − p0) with p0 the probability of no capture), drawn jointly with their
classes (n0 first, then their multinomial), which is a valid blocked Gibbs step.

Compiled with ``cache=True`` so the CLI does not pay compilation on every call, and
``nogil=True`` so chains run in parallel threads.
"""

from __future__ import annotations

import numpy as np
from numba import njit

SMALL_MULTINOMIAL = 12  # below this count, draw members one by one (cheaper than binomials)
WARM_UP = 500  # LCMCR's warm-up iterations (alpha held at 0.3 / K), run before the burn-in


@njit(cache=True, nogil=True)
def _multinomial(total, prob, out, order):
    """Add a Multinomial(total, prob) draw into ``out`` (prob sums to 1).

    Small totals: one categorical draw per member. Large totals: conditional binomials,
    taking classes from the most to the least probable, so that the count left over soon
    becomes small (cheap binomials) and usually reaches zero before the unlikely classes.
    """
    k_max = prob.shape[0]
    if total <= SMALL_MULTINOMIAL:
        for _ in range(total):
            u = np.random.random()
            acc = 0.0
            chosen = k_max - 1
            for k in range(k_max):
                acc += prob[k]
                if u < acc:
                    chosen = k
                    break
            out[chosen] += 1
        return
    for i in range(k_max):  # insertion sort of class indices by decreasing probability
        order[i] = i
        j = i
        while j > 0 and prob[order[j - 1]] < prob[order[j]]:
            order[j - 1], order[j] = order[j], order[j - 1]
            j -= 1
    remaining = total
    rest = 1.0
    for i in range(k_max - 1):
        k = order[i]
        if remaining == 0:
            return
        p = prob[k] / rest if rest > 0 else 1.0
        if p >= 1.0:
            out[k] += remaining
            return
        if p > 0:
            x = np.random.binomial(remaining, p)
            out[k] += x
            remaining -= x
        rest -= prob[k]
    out[order[k_max - 1]] += remaining


@njit(cache=True, nogil=True)
def _beta(ones, members):
    """Beta(1 + ones, 1 + members - ones), with exact shortcuts for the common cases:
    an empty class (uniform) and a list that recorded nobody of the class
    (Beta(1, b) = 1 - U^(1/b)); classes are mostly empty or small, so this halves the cost."""
    if members == 0:
        return np.random.random()
    if ones == 0:
        return 1.0 - np.random.random() ** (1.0 / (1.0 + members))
    if ones == members:
        return np.random.random() ** (1.0 / (1.0 + members))
    return np.random.beta(1.0 + ones, 1.0 + members - ones)


@njit(cache=True, nogil=True)
def _log_gamma_draw(shape):
    """log of a Gamma(shape, 1) draw, exact for tiny shapes: G(a) = G(a + 1) · U^(1/a), so
    log G(a) = log G(a + 1) + log(U) / a, which stays finite where G(a) itself underflows."""
    if shape >= 1.0:
        return np.log(np.random.gamma(shape, 1.0))
    uniform = 1.0 - np.random.random()  # in (0, 1]: log never -inf
    return np.log(np.random.gamma(shape + 1.0, 1.0)) + np.log(uniform) / shape


@njit(cache=True, nogil=True)
def log_beta_pair(a, b):
    """(log V, log(1 − V)) for V ~ Beta(a, b), from two log-gamma draws (as LCMCR's C++).

    Why: the stick-breaking weights need log(1 − V) when V is within 1e-16 of 1, which
    happens most of the time once alpha is below about 0.05 (Beta(1 + m, alpha));
    ``np.random.beta`` then returns exactly 1, and a clamp at 1 − 1e-16 caps log(1 − V)
    at −37 where its true mean is −1/alpha (−100 at alpha = 0.01), biasing alpha upwards."""
    g1 = _log_gamma_draw(a)
    g2 = _log_gamma_draw(b)
    top = max(g1, g2)
    total = top + np.log(np.exp(g1 - top) + np.exp(g2 - top))
    return g1 - total, g2 - total


@njit(cache=True, nogil=True)
def _stick_breaking(members, alpha, log_pi):
    """Draw the truncated stick-breaking weights given class counts, in logs; return
    Σ_k<K log(1 − V_k), which the concentration update needs."""
    n_classes = log_pi.shape[0]
    tail = 0
    for k in range(n_classes):
        tail += members[k]
    log_rest = 0.0
    for k in range(n_classes - 1):
        tail -= members[k]
        log_v, log_1mv = log_beta_pair(1.0 + members[k], alpha + tail)
        log_pi[k] = log_v + log_rest
        log_rest += log_1mv
    log_pi[n_classes - 1] = log_rest
    return log_rest


@njit(cache=True, nogil=True)
def _log_space_probs(base, ratio, ones_ptr, ones_idx, c, prob):
    """Unnormalised class probabilities of pattern c computed in logs; returns their sum."""
    n_classes = base.shape[0]
    best = -np.inf
    for k in range(n_classes):
        s = base[k]
        for t in range(ones_ptr[c], ones_ptr[c + 1]):
            s += np.log(ratio[ones_idx[t], k])
        prob[k] = s
        if s > best:
            best = s
    norm = 0.0
    for k in range(n_classes):
        prob[k] = np.exp(prob[k] - best)
        norm += prob[k]
    return norm


@njit(cache=True, nogil=True)
def _lcmcr_start_weights(log_pi):
    """LCMCR's starting class weights: four classes of 0.225 and 0.1 spread over the rest
    (equal weights when K <= 4)."""
    n_classes = log_pi.shape[0]
    for k in range(n_classes):
        if n_classes <= 4:
            log_pi[k] = -np.log(n_classes)
        else:
            log_pi[k] = np.log(0.225) if k < 4 else np.log(0.1 / (n_classes - 4))


@njit(cache=True, nogil=True)
def _sort_classes_by_weight(lam, log_pi, order):
    """Relabel the classes by decreasing weight, as LCMCR does once after its warm-up (the
    stick-breaking prior favours heavy classes first)."""
    n_classes = log_pi.shape[0]
    for i in range(n_classes):  # insertion sort of class indices by decreasing weight
        order[i] = i
        j = i
        while j > 0 and log_pi[order[j - 1]] < log_pi[order[j]]:
            order[j - 1], order[j] = order[j], order[j - 1]
            j -= 1
    old_lam = lam.copy()
    old_log_pi = log_pi.copy()
    for k in range(n_classes):
        lam[:, k] = old_lam[:, order[k]]
        log_pi[k] = old_log_pi[order[k]]


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
    The start is LCMCR's (its C++ ``Initializes``): every class gets capture probability
    ``lam_init[j]`` = n_j / n on list j, weights 0.225 × 4 and 0.1 / (K − 4), alpha 0.3 / K
    held fixed for ``WARM_UP`` iterations, then the classes are relabelled by weight. Why it
    matters: on sparse many-list tables the posterior of N has separated modes that the
    Gibbs sampler rarely crosses, so the start decides which one a chain reports; on
    verdata's Colombian R1 table (20 lists) a start with class-jittered n_j / 2n settled at
    N ≈ 1,410 for millions of iterations while LCMCR's start reproduces verdata's
    published posterior (docs/estimation.md).
    """
    np.random.seed(seed)
    n_patterns = counts.shape[0]
    n_obs = 0
    for c in range(n_patterns):
        n_obs += counts[c]
    lam = np.empty((n_lists, n_classes))
    for j in range(n_lists):
        for k in range(n_classes):
            lam[j, k] = min(0.99, lam_init[j])
    log_pi = np.empty(n_classes)
    _lcmcr_start_weights(log_pi)
    alpha = 0.3 / n_classes
    members = np.zeros(n_classes, dtype=np.int64)

    base = np.empty(n_classes)
    scaled = np.empty(n_classes)
    ratio = np.empty((n_lists, n_classes))
    prob = np.empty(n_classes)
    ones_k = np.zeros((n_lists, n_classes), dtype=np.int64)
    pattern_members = np.zeros(n_classes, dtype=np.int64)
    order = np.zeros(n_classes, dtype=np.int64)
    total_iter = WARM_UP + burn_in + samples * thin
    stored = 0
    for it in range(total_iter):
        if it == WARM_UP:
            _sort_classes_by_weight(lam, log_pi, order)
        # base[k] = log pi_k + sum_j log(1 - lam_jk); ratio[j, k] = lam_jk / (1 - lam_jk)
        best_base = -np.inf
        for k in range(n_classes):
            s = log_pi[k]
            for j in range(n_lists):
                s += np.log1p(-lam[j, k])
                ratio[j, k] = lam[j, k] / (1.0 - lam[j, k])
            base[k] = s
            if s > best_base:
                best_base = s
        for k in range(n_classes):
            scaled[k] = np.exp(base[k] - best_base)
        members[:] = 0
        ones_k[:, :] = 0
        # class memberships of the observed, one multinomial per pattern: products in linear
        # space (cheap), falling back to logs when they under- or overflow
        for c in range(n_patterns):
            norm = 0.0
            for k in range(n_classes):
                w = scaled[k]
                for t in range(ones_ptr[c], ones_ptr[c + 1]):
                    w *= ratio[ones_idx[t], k]
                prob[k] = w
                norm += w
            if not (norm > 1e-280 and norm < 1e280):
                norm = _log_space_probs(base, ratio, ones_ptr, ones_idx, c, prob)
            for k in range(n_classes):
                prob[k] /= norm
            pattern_members[:] = 0
            _multinomial(counts[c], prob, pattern_members, order)
            for k in range(n_classes):
                m = pattern_members[k]
                if m > 0:
                    members[k] += m
                    for t in range(ones_ptr[c], ones_ptr[c + 1]):
                        ones_k[ones_idx[t], k] += m
        # the unobserved: n0 ~ NB(n, 1 - p0), then their classes
        p0 = 0.0
        for k in range(n_classes):
            prob[k] = np.exp(base[k])
            p0 += prob[k]
        n0 = 0
        if p0 > 0:
            for k in range(n_classes):
                prob[k] /= p0
            if p0 < 1.0:
                n0 = np.random.poisson(np.random.gamma(n_obs, p0 / (1.0 - p0)))
            pattern_members[:] = 0
            _multinomial(n0, prob, pattern_members, order)
            for k in range(n_classes):
                members[k] += pattern_members[k]
        # capture probabilities
        for j in range(n_lists):
            for k in range(n_classes):
                lam[j, k] = min(max(_beta(ones_k[j, k], members[k]), 1e-300), 1.0 - 1e-16)
        # stick-breaking weights and concentration
        log_rest = _stick_breaking(members, alpha, log_pi)
        if it >= WARM_UP:  # LCMCR keeps alpha at its start value during the warm-up
            alpha = np.random.gamma(a_alpha + n_classes - 1, 1.0 / (b_alpha - log_rest))
            alpha = max(alpha, 1e-10)
        after = it - WARM_UP - burn_in
        if after >= 0 and (after + 1) % thin == 0:
            out_n[stored] = n_obs + n0
            out_alpha[stored] = alpha
            occupied = 0
            for k in range(n_classes):
                if members[k] > 0:
                    occupied += 1
            out_classes[stored] = occupied
            stored += 1
    return stored
