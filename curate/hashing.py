"""Shared 64-bit hashing helpers (numpy, vectorized)."""

from __future__ import annotations

import numpy as np

_M1 = np.uint64(0xFF51AFD7ED558CCD)
_M2 = np.uint64(0xC4CEB9FE1A85EC53)
_S33 = np.uint64(33)


def fmix64(x: np.ndarray) -> np.ndarray:
    """murmur3's 64-bit finalizer (Appleby, MurmurHash3 ``fmix64``), in place on a uint64 array.

    A bijection with full avalanche; returns ``x``.
    """
    x ^= x >> _S33
    x *= _M1
    x ^= x >> _S33
    x *= _M2
    x ^= x >> _S33
    return x
