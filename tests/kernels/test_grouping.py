"""The counting sort against its NumPy twin (a stable argsort), and the layout of synapse
rows: the block copy (no sort) gives what the general stable sort gives."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurosim.engines.synapse_layout import lay_out_synapses, pre_of
from neurosim.kernels.grouping import group_by_key, group_by_key_numpy


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 9), max_size=200), st.sampled_from([np.int32, np.int64]))
def test_group_by_key_equals_a_stable_argsort(keys, dtype):
    keys = np.asarray(keys, dtype=dtype)
    values = np.arange(len(keys), dtype=dtype)[::-1].copy()  # order shows stability
    got = group_by_key(keys, values, 10)
    want = group_by_key_numpy(keys, values, 10)
    for g, w in zip(got, want):
        assert g.dtype == w.dtype and np.array_equal(g, w)


def test_group_by_key_rejects_keys_outside_the_range():
    with pytest.raises(ValueError, match=r"keys must lie in \[0, 3\)"):
        group_by_key(np.array([0, 3]), np.array([1, 2]), 3)
    with pytest.raises(ValueError, match="differ in length"):
        group_by_key(np.array([0]), np.array([1, 2]), 3)


def _lowered(k, pre, post, receptor=0):
    pre, post = np.asarray(pre, np.int32), np.asarray(post, np.int32)
    return SimpleNamespace(index=k, receptor=receptor, pre=pre, post=post,
                           weight=np.arange(len(pre), dtype=float) + 100 * k,
                           delay=np.full(len(pre), k + 1, np.int32))


def _by_sort(projections, n):
    """The plain definition: concatenate, then one stable sort by (pre, post)."""
    cat = lambda f: np.concatenate([getattr(p, f) for p in projections])  # noqa: E731
    order = np.lexsort((cat("post"), cat("pre")))
    proj = np.concatenate([np.full(len(p.pre), p.index) for p in projections])
    return cat("pre")[order], cat("post")[order], cat("weight")[order], proj[order]


pairs = st.lists(st.tuples(st.integers(0, 7), st.integers(0, 7)), max_size=30)


@settings(max_examples=80, deadline=None)
@given(st.lists(pairs, min_size=1, max_size=4), st.booleans())
def test_layout_equals_the_stable_sort(lists, presort):
    projections = []
    for k, pl in enumerate(lists):
        pl = sorted(pl) if presort else pl  # sorted lists usually take the no-sort path
        projections.append(_lowered(k, [a for a, _ in pl], [b for _, b in pl]))
    want = _by_sort(projections, 8)
    handed = list(projections)
    s, row_ptr = lay_out_synapses(handed, 8)
    assert handed == []  # taken over
    ids = np.arange(len(s["post"]))
    assert np.array_equal(pre_of(row_ptr, ids), want[0])
    assert np.array_equal(s["post"], want[1])
    assert np.array_equal(s["w"], want[2])
    assert np.array_equal(s["proj"], want[3])
    assert s["post"].dtype == np.int32 and s["delay"].dtype == np.int32
    assert s["receptor"].dtype == np.int8


def test_disjoint_sorted_projections_are_copied_as_blocks_in_source_order():
    # sources 4..5 listed first, 0..1 second: the blocks swap, no sort needed
    a = _lowered(0, [4, 4, 5], [0, 2, 1])
    b = _lowered(1, [0, 1, 1], [3, 0, 0])
    s, row_ptr = lay_out_synapses([a, b], 6)
    assert s["proj"].tolist() == [1, 1, 1, 0, 0, 0]
    assert s["w"].tolist() == [100.0, 101.0, 102.0, 0.0, 1.0, 2.0]  # multapse kept in order
    assert row_ptr.tolist() == [0, 1, 3, 3, 3, 5, 6]
