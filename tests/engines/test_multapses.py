"""Multapses and the fixed-number connectors, the same on every engine."""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.engines import get_engine
from neurosim.errors import ParameterError, SpecError
from neurosim.network import (
    AllToAll,
    FixedNumberPost,
    FixedNumberPre,
    FromList,
    IF_curr_exp,
    NetworkSpec,
    Population,
    Probe,
    Projection,
    SpikeSourceArray,
    StaticSynapse,
)
from neurosim.units import ms, mV, nA, to_si

ENGINES = ["brian2", "numba", "reference"]


def _pairs(sim, label):
    pre, post = sim.synapse_index(label)
    return sorted(zip(pre.tolist(), post.tolist()))


@pytest.mark.parametrize("engine", ENGINES)
def test_a_multapse_delivers_each_of_its_synapses(engine):
    """Three synapses of w between one pair: the target's current jumps by 3 w (exactly:
    0 + w + w + w); weights() sums them, as PyNN's multiple_synapses='sum'."""
    w = 0.25 * nA
    spec = NetworkSpec(
        populations=(Population("p", 2, IF_curr_exp(v_thresh=0 * mV)),),
        sources=(SpikeSourceArray.from_times("s", [[2] * ms]),),
        projections=(Projection("s", "p", FromList(((0, 0), (0, 0), (0, 0), (0, 1))),
                                StaticSynapse(weight=w, delay=1 * ms), label="m"),),
        probes=(Probe("p", "isyn_exc"),))
    sim = get_engine(engine).build(spec, dt=0.1 * ms, seed=0)
    sim.run(5 * ms)
    i = np.asarray(to_si(sim.data["p.isyn_exc"].values))
    k = 30  # the spike at 2 ms lands before the step at 3 ms
    assert i[k, 0] == to_si(w) + to_si(w) + to_si(w) and i[k - 1, 0] == 0
    assert i[k, 1] == to_si(w)
    mat = np.asarray(to_si(sim.weights("m")))
    assert mat[0, 0] == pytest.approx(3 * to_si(w), rel=1e-15) and mat[0, 1] == to_si(w)
    with pytest.raises(ParameterError, match="multapses"):
        sim.set_weights("m", np.zeros((1, 2)) * nA)
    sim.set_weights("m", np.array([1, 2, 3, 4]) * nA)  # one value per synapse is fine
    assert np.asarray(to_si(sim.weights("m")))[0, 0] == pytest.approx(6e-9, rel=1e-15)


def test_fixed_number_connectors_are_the_same_on_every_engine():
    spec = NetworkSpec(
        populations=(Population("a", 6, IF_curr_exp()), Population("b", 5, IF_curr_exp())),
        projections=(
            Projection("a", "b", FixedNumberPre(n=4, with_replacement=True), StaticSynapse(
                weight=0.1 * nA), label="pre"),
            Projection("a", "b", FixedNumberPost(n=3), StaticSynapse(weight=0.1 * nA),
                       label="post"),
            Projection("a", "a", FixedNumberPre(n=5, allow_self_connections=False),
                       StaticSynapse(weight=0.1 * nA), label="self")))
    sims = [get_engine(e).build(spec, dt=0.1 * ms, seed=11) for e in ENGINES]
    for label in ("pre", "post", "self"):
        want = _pairs(sims[0], label)
        for sim in sims[1:]:
            assert _pairs(sim, label) == want
    pre = np.array(_pairs(sims[1], "pre"))
    assert np.array_equal(np.bincount(pre[:, 1], minlength=5), np.full(5, 4))
    assert len({tuple(p) for p in pre.tolist()}) < len(pre)  # with replacement: multapses
    post = np.array(_pairs(sims[1], "post"))
    assert np.array_equal(np.bincount(post[:, 0], minlength=6), np.full(6, 3))
    assert len({tuple(p) for p in post.tolist()}) == len(post)  # without: distinct
    own = np.array(_pairs(sims[1], "self"))
    assert not np.any(own[:, 0] == own[:, 1])
    assert np.array_equal(np.bincount(own[:, 1], minlength=6), np.full(6, 5))
    # another seed, other partners
    other = get_engine("numba").build(spec, dt=0.1 * ms, seed=12)
    assert _pairs(other, "pre") != _pairs(sims[1], "pre")


def test_fixed_number_connector_bad_input():
    spec = NetworkSpec(populations=(Population("a", 3, IF_curr_exp()),),
                       projections=(Projection("a", "a", FixedNumberPost(n=4), StaticSynapse(
                           weight=0.1 * nA)),))
    with pytest.raises(SpecError, match="n=4 partners without replacement"):
        get_engine("numba").build(spec, dt=0.1 * ms)
    with pytest.raises(ParameterError, match="'n' parameter of FixedNumberPre"):
        FixedNumberPre(n=-1)
    with pytest.raises(ParameterError, match="'with_replacement' parameter"):
        FixedNumberPost(n=1, with_replacement="yes")
    assert Projection("a", "a", AllToAll(), StaticSynapse()).connector == AllToAll()
    ok = NetworkSpec(populations=(Population("a", 3, IF_curr_exp()),),
                     projections=(Projection("a", "a", FixedNumberPre(
                         n=2, with_replacement=True), StaticSynapse(weight=0.1 * nA)),))
    assert NetworkSpec.from_json(ok.to_json()) == ok
