"""Random variates for the LCMCR sampler, compiled with numba, from one state array per chain.

Why not ``np.random`` inside numba: its uniform (legacy Mersenne Twister) costs about 6 ns,
its binomial 40–120 ns (BINV inversion loops up to 30 steps when n·p is near 30) and its gamma
40–50 ns; the sampler draws hundreds of each per iteration. Here: xoshiro256** (0.7 ns per
uniform), Leva's ratio-of-uniforms normal, Marsaglia–Tsang gamma, Hörmann's BTRS binomial
and PTRS Poisson (transformed rejection with squeeze, constant time whatever n·p). Every
method is an exact sampler (rejection against the exact density, log-factorials from
``math.lgamma``); tests/estimate/test_rng.py checks them against scipy's distributions.

A state is a ``uint64[4]`` array made by :func:`new_state` from an integer seed: the same seed
gives the same stream on every run and in every thread (each chain owns its state).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, uint64

# Functions that allocate nothing are compiled without numba's reference counting (_nrt=False):
# with it, every call increments and decrements the count of each array argument (two atomic
# operations per array, about 45 ns for a five-array call, more than a whole binomial draw).
# The caller always holds the arrays, so nothing can be freed under them. Division by zero
# gives inf/nan as in numpy (error_model) instead of a branch per division.
NO_ALLOC = {"cache": True, "nogil": True, "error_model": "numpy", "_nrt": False}
INLINE = {**NO_ALLOC, "inline": "always"}

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_TWO_M53 = 1.0 / 9007199254740992.0  # 2^-53


@njit(cache=True, nogil=True)
def new_state(seed):
    """xoshiro256** state from an integer seed, expanded by splitmix64 (its authors' advice)."""
    state = np.empty(4, dtype=np.uint64)
    x = uint64(seed)
    for i in range(4):
        x += _GOLDEN
        z = x
        z = (z ^ (z >> uint64(30))) * _MIX1
        z = (z ^ (z >> uint64(27))) * _MIX2
        state[i] = z ^ (z >> uint64(31))
    return state


@njit(**INLINE)
def _rotl(x, k):
    return (x << uint64(k)) | (x >> uint64(64 - k))


@njit(**INLINE)
def next_u64(s):
    """Next 64 random bits (xoshiro256**, Blackman & Vigna 2018)."""
    result = _rotl(s[1] * uint64(5), 7) * uint64(9)
    t = s[1] << uint64(17)
    s[2] ^= s[0]
    s[3] ^= s[1]
    s[1] ^= s[2]
    s[0] ^= s[3]
    s[2] ^= t
    s[3] = _rotl(s[3], 45)
    return result


@njit(**INLINE)
def uniform(s):
    """U[0, 1) with 53 random bits."""
    return (next_u64(s) >> uint64(11)) * _TWO_M53


@njit(**INLINE)
def uniform_pos(s):
    """U(0, 1]: safe under a logarithm or a division."""
    return ((next_u64(s) >> uint64(11)) + uint64(1)) * _TWO_M53


@njit(**NO_ALLOC)
def normal(s):
    """Standard normal by Leva's (1992) ratio of uniforms: about 2.7 uniforms, a logarithm
    in under 1% of draws."""
    while True:
        u = uniform_pos(s)
        v = 1.7156 * (uniform(s) - 0.5)
        x = u - 0.449871
        y = abs(v) + 0.386595
        q = x * x + y * (0.19600 * y - 0.25472 * x)
        if q < 0.27597:
            return v / u
        if q <= 0.27846 and v * v <= -4.0 * math.log(u) * u * u:
            return v / u


@njit(**NO_ALLOC)
def gamma_ge1(s, shape):
    """Gamma(shape, 1) for shape >= 1 (Marsaglia & Tsang 2000): one normal and one uniform,
    a logarithm only when the squeeze fails (about 2% of draws)."""
    d = shape - 1.0 / 3.0
    c = 1.0 / math.sqrt(9.0 * d)
    while True:
        x = normal(s)
        v = 1.0 + c * x
        if v <= 0.0:
            continue
        v = v * v * v
        u = uniform_pos(s)
        x2 = x * x
        if u < 1.0 - 0.0331 * x2 * x2 or math.log(u) < 0.5 * x2 + d * (1.0 - v + math.log(v)):
            return d * v


@njit(**NO_ALLOC)
def log_gamma(s, shape):
    """log of a Gamma(shape, 1) draw, finite even where the draw itself underflows (tiny
    shapes: G(a) = G(a + 1) · U^(1/a), so log G(a) = log G(a + 1) + log(U) / a)."""
    if shape >= 1.0:
        return math.log(gamma_ge1(s, shape))
    return math.log(gamma_ge1(s, shape + 1.0)) + math.log(uniform_pos(s)) / shape


@njit(**NO_ALLOC)
def _binomial_inversion(s, n, p):
    """Binomial(n, p) by sequential inversion from 0 (BINV); O(n·p) steps, for small n·p."""
    q = 1.0 - p
    ratio = p / q
    px = math.exp(n * math.log1p(-p))
    u = uniform(s)
    x = 0
    while u > px and x < n:
        u -= px
        x += 1
        px *= ratio * (n - x + 1) / x
    return x


@njit(**NO_ALLOC)
def _binomial_btrs(s, n, p):
    """Binomial(n, p), p <= 1/2, n·p >= 10: Hörmann's (1993) transformed rejection with
    squeeze. About 85% of draws end at the squeeze after one square root and one division;
    the exact test (log-factorials from ``math.lgamma``) sets itself up only when needed."""
    spq = math.sqrt(n * p * (1.0 - p))
    b = 1.15 + 2.53 * spq
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = n * p + 0.5
    v_r = 0.92 - 4.2 / b
    log_fm = np.nan  # slow-path constants, set on the first squeeze failure
    log_r = log_alpha = m = 0.0
    while True:
        u = uniform(s) - 0.5
        v = uniform_pos(s)
        us = 0.5 - abs(u)
        if us <= 0.0:  # u = -1/2 exactly (probability 2^-53): outside the hat
            continue
        k = math.floor((2.0 * a / us + b) * u + c)
        if k < 0 or k > n:
            continue
        if us >= 0.07 and v <= v_r:
            return int(k)
        if np.isnan(log_fm):
            log_r = math.log(p / (1.0 - p))
            log_alpha = math.log((2.83 + 5.1 / b) * spq)
            m = math.floor((n + 1) * p)
            log_fm = math.lgamma(m + 1.0) + math.lgamma(n - m + 1.0)
        log_v = math.log(v) + log_alpha - math.log(a / (us * us) + b)
        log_f = log_fm - math.lgamma(k + 1.0) - math.lgamma(n - k + 1.0) + (k - m) * log_r
        if log_v <= log_f:
            return int(k)


@njit(**NO_ALLOC)
def binomial(s, n, p):
    """Binomial(n, p) for any n >= 0 and p in [0, 1]."""
    if n <= 0 or p <= 0.0:
        return 0
    if p >= 1.0:
        return n
    r = min(p, 1.0 - p)
    x = _binomial_inversion(s, n, r) if n * r < 10.0 else _binomial_btrs(s, n, r)
    return x if p <= 0.5 else n - x


@njit(**NO_ALLOC)
def poisson(s, lam):
    """Poisson(lam): multiplication method below 10, Hörmann's (1993) PTRS above."""
    if lam <= 0.0:
        return 0
    if lam < 10.0:
        limit = math.exp(-lam)
        x = 0
        prod = uniform_pos(s)
        while prod > limit:
            x += 1
            prod *= uniform_pos(s)
        return x
    log_lam = math.log(lam)
    b = 0.931 + 2.53 * math.sqrt(lam)
    a = -0.059 + 0.02483 * b
    log_inv_alpha = math.log(1.1239 + 1.1328 / (b - 3.4))
    v_r = 0.9277 - 3.6224 / (b - 2.0)
    while True:
        u = uniform(s) - 0.5
        v = uniform_pos(s)
        us = 0.5 - abs(u)
        if us <= 0.0:
            continue
        k = math.floor((2.0 * a / us + b) * u + lam + 0.43)
        if us >= 0.07 and v <= v_r:
            return int(k)
        if k < 0 or (us < 0.013 and v > us):
            continue
        if math.log(v) + log_inv_alpha - math.log(a / (us * us) + b) <= (
            -lam + k * log_lam - math.lgamma(k + 1.0)
        ):
            return int(k)
