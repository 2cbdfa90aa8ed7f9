"""The fixed-number connectors draw uniformly (a chi-square test on the positions and on
the pairs), give each fixed neuron exactly n partners, distinct without replacement, never
itself where self-connections are off; both drawing methods (rejection for n far below the
choices, random keys otherwise) are exercised."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from neurosim.errors import SpecError
from neurosim.network import FixedNumberPost, FixedNumberPre

# A chi-square test with a fixed seed: the p-value bound 1e-4 fails a uniform sampler once
# in 10^4 seeds and catches a bias of a few percent at these counts.
P_MIN = 1e-4


def _draw(connector, n_pre, n_post, same, seed=3):
    ids_pre, ids_post = np.arange(n_pre), np.arange(n_post)
    return connector.connect(ids_pre, ids_post, same, np.random.default_rng(seed))


@pytest.mark.parametrize("n, n_choices", [(3, 10), (5, 2000)])  # keys / rejection
@pytest.mark.parametrize("self_connections", [True, False])
def test_fixed_number_pre_is_uniform_and_exact(n, n_choices, self_connections):
    n_post = 4000 if n_choices == 10 else 2000
    conn = FixedNumberPre(n=n, allow_self_connections=self_connections)
    i, j = _draw(conn, n_choices, n_post, same=n_choices == n_post or n_choices == 10)
    assert i.dtype == np.int32
    assert np.array_equal(np.bincount(j, minlength=n_post), np.full(n_post, n))
    pairs = j.astype(np.int64) * n_choices + i
    assert len(np.unique(pairs)) == len(pairs)  # without replacement: distinct
    assert np.all(np.diff(i) >= 0)  # rows by pre, posts ascending within
    assert np.all(np.diff(j)[np.diff(i) == 0] >= 0)
    own = i == j
    if not self_connections:
        assert not own.any()
    # positions relative to the fixed neuron: uniform over the allowed ones
    counts = np.bincount(i, minlength=n_choices)
    if n_choices == 10 and not self_connections:
        # self excluded for posts 0..9 only: expected counts are not flat; test posts >= 10
        counts = np.bincount(i[j >= 10], minlength=n_choices)
    assert stats.chisquare(counts).pvalue > P_MIN


def test_fixed_number_post_pairs_are_uniform_subsets():
    """All C(5, 2) = 10 subsets equally often (n = 2 of 5: the random-key method)."""
    conn = FixedNumberPost(n=2)
    i, j = _draw(conn, 20000, 5, same=False)
    assert np.array_equal(np.bincount(i), np.full(20000, 2))
    first, second = j[0::2], j[1::2]
    assert np.all(first < second)
    subset = first * 5 + second
    counts = np.bincount(subset, minlength=25)[[a * 5 + b for a in range(5)
                                                 for b in range(a + 1, 5)]]
    assert counts.sum() == 20000 and stats.chisquare(counts).pvalue > P_MIN


def test_with_replacement_draws_multapses_at_the_binomial_rate():
    """n = 20 draws from 50 with replacement: P(no repeat) = prod(1 - k/50), k < 20."""
    conn = FixedNumberPre(n=20, with_replacement=True)
    i, j = _draw(conn, 50, 5000, same=False)
    pairs = j.astype(np.int64) * 50 + i
    distinct_rows = np.array([len(np.unique(pairs[j == r])) == 20 for r in range(5000)])
    p = np.prod(1 - np.arange(20) / 50)
    sd = np.sqrt(p * (1 - p) / 5000)
    assert abs(distinct_rows.mean() - p) < 5 * sd


def test_the_same_seed_gives_the_same_draws_and_errors_name_the_count():
    conn = FixedNumberPre(n=4, allow_self_connections=False)
    a, b = _draw(conn, 300, 300, True, seed=5), _draw(conn, 300, 300, True, seed=5)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    with pytest.raises(SpecError, match="n=5 partners without replacement, but only 4"):
        _draw(FixedNumberPre(n=5, allow_self_connections=False), 5, 5, same=True)
    # exactly as many as allowed: every other neuron
    i, j = _draw(FixedNumberPre(n=4, allow_self_connections=False), 5, 5, same=True)
    assert sorted(zip(i.tolist(), j.tolist())) == [(a, b) for a in range(5) for b in range(5)
                                                     if a != b]
