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


@njit(cache=True, nogil=True)
def _multinomial(total, prob, out):
    """Add a Multinomial(total, prob) draw into ``out`` (prob sums to 1)."""
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
    remaining = total
    rest = 1.0
    for k in range(k_max - 1):
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
    out[k_max - 1] += remaining


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
    out_n,
    out_alpha,
    out_classes,
):
    """Run one chain; write ``samples`` thinned draws of N, alpha and occupied classes.

    Patterns are given in CSR form: pattern c records lists ones_idx[ones_ptr[c]:ones_ptr[c+1]].
    """
    np.random.seed(seed)
    n_patterns = counts.shape[0]
    n_obs = 0
    for c in range(n_patterns):
        n_obs += counts[c]
    lam = np.empty((n_lists, n_classes))
    for j in range(n_lists):
        for k in range(n_classes):
            lam[j, k] = np.random.beta(1.0, 1.0)
    alpha = 1.0
    pi = np.empty(n_classes)
    rest = 1.0
    for k in range(n_classes - 1):
        v = np.random.beta(1.0, alpha)
        pi[k] = v * rest
        rest *= 1.0 - v
    pi[n_classes - 1] = rest

    base = np.empty(n_classes)
    diff = np.empty((n_lists, n_classes))
    prob = np.empty(n_classes)
    members = np.zeros(n_classes, dtype=np.int64)
    ones_k = np.zeros((n_lists, n_classes), dtype=np.int64)
    pattern_members = np.zeros(n_classes, dtype=np.int64)
    total_iter = burn_in + samples * thin
    stored = 0
    for it in range(total_iter):
        # log-probabilities: base[k] = log pi_k + sum_j log(1 - lam_jk)
        for k in range(n_classes):
            s = np.log(pi[k]) if pi[k] > 0 else -np.inf
            for j in range(n_lists):
                q = 1.0 - lam[j, k]
                s += np.log(q)
                diff[j, k] = np.log(lam[j, k]) - np.log(q)
            base[k] = s
        members[:] = 0
        ones_k[:, :] = 0
        # class memberships of the observed, one multinomial per pattern
        for c in range(n_patterns):
            best = -np.inf
            for k in range(n_classes):
                s = base[k]
                for t in range(ones_ptr[c], ones_ptr[c + 1]):
                    s += diff[ones_idx[t], k]
                prob[k] = s
                if s > best:
                    best = s
            norm = 0.0
            for k in range(n_classes):
                prob[k] = np.exp(prob[k] - best)
                norm += prob[k]
            for k in range(n_classes):
                prob[k] /= norm
            pattern_members[:] = 0
            _multinomial(counts[c], prob, pattern_members)
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
            _multinomial(n0, prob, pattern_members)
            for k in range(n_classes):
                members[k] += pattern_members[k]
        # capture probabilities
        for j in range(n_lists):
            for k in range(n_classes):
                a = 1.0 + ones_k[j, k]
                b = 1.0 + members[k] - ones_k[j, k]
                x = np.random.beta(a, b)
                lam[j, k] = min(max(x, 1e-300), 1.0 - 1e-16)
        # stick-breaking weights and concentration
        tail = 0
        for k in range(n_classes):
            tail += members[k]
        rest = 1.0
        log_rest = 0.0
        for k in range(n_classes - 1):
            tail -= members[k]
            v = np.random.beta(1.0 + members[k], alpha + tail)
            v = min(v, 1.0 - 1e-16)
            pi[k] = v * rest
            rest *= 1.0 - v
            log_rest += np.log1p(-v)
        pi[n_classes - 1] = rest
        alpha = np.random.gamma(a_alpha + n_classes - 1, 1.0 / (b_alpha - log_rest))
        alpha = max(alpha, 1e-10)
        if it >= burn_in and (it - burn_in + 1) % thin == 0:
            out_n[stored] = n_obs + n0
            out_alpha[stored] = alpha
            occupied = 0
            for k in range(n_classes):
                if members[k] > 0:
                    occupied += 1
            out_classes[stored] = occupied
            stored += 1
    return stored
