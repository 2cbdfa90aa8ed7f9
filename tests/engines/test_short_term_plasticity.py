"""Tsodyks-Markram synapses: the closed-form steady state, every engine the same."""

from __future__ import annotations

import math

import numpy as np
import pytest

from neurosim.engines import get_engine
from neurosim.errors import ParameterError
from neurosim.network import (
    AllToAll,
    IF_cond_exp,
    IF_curr_exp,
    NetworkSpec,
    OneToOne,
    Population,
    Probe,
    Projection,
    SpikeSourceArray,
    StaticSynapse,
    TsodyksMarkramSynapse,
)
from neurosim.units import ms, mV, nA, to_si, uS

ENGINES = [("brian2", {}), ("numba", {}), ("reference", {}),
           ("numba", {"cell_code": "generated"})]
IDS = ["brian2", "numba", "reference", "numba-generated"]
W = 2.0 * nA
T_MS = 20.0  # a 50 Hz train


def _train_spec(syn):
    return NetworkSpec(
        populations=(Population("p", 1, IF_curr_exp(v_thresh=100 * mV)),),
        sources=(SpikeSourceArray.from_times("s", [np.arange(40) * T_MS * ms + 5 * ms]),),
        projections=(Projection("s", "p", AllToAll(), syn),),
        probes=(Probe("p", "isyn_exc"),))


def _efficacies(data, cell):
    """What each spike added to isyn_exc: the increment over the decayed previous value at
    each arrival step (5 ms + 1 ms delay, every 20 ms; states recorded before a step)."""
    i = np.asarray(to_si(data["p.isyn_exc"].values))[:, 0]
    decay = math.exp(-0.1e-3 / to_si(cell.tau_syn_E))
    arrivals = np.round((np.arange(40) * T_MS + 6.0) / 0.1).astype(int)
    return i[arrivals] - i[arrivals - 1] * decay


@pytest.mark.parametrize("engine, options", ENGINES, ids=IDS)
@pytest.mark.parametrize("tau_facil", [0.0, 50.0])
def test_steady_state_efficacy_is_the_closed_form(engine, options, tau_facil):
    """The first spike transmits U w; a 50 Hz train converges to w u* x* (Tsodyks, Uziel &
    Markram 2000). After 40 spikes the distance to the fixed point has shrunk by the
    map's contraction ((1 - u*) exp(-T/tau_rec) < 0.6 per spike) below 1e-9; the increment
    is read back through one step's decay (rounding ~1e-15 relative): tolerance 1e-9."""
    syn = TsodyksMarkramSynapse(weight=W, delay=1 * ms, U=0.3, tau_rec=80 * ms,
                                tau_facil=tau_facil * ms)
    spec = _train_spec(syn)
    data = get_engine(engine, **options).build(spec, dt=0.1 * ms, seed=0).run(820 * ms).data
    eff = _efficacies(data, spec.populations[0].celltype) / to_si(W)
    assert eff[0] == pytest.approx(0.3, rel=1e-9)
    assert eff[-1] == pytest.approx(syn.steady_state(T_MS * 1e-3), rel=1e-9)
    if tau_facil == 0:
        assert eff[1] < eff[0]  # depression
    else:
        assert eff[1] > eff[0]  # facilitation wins at first with these values


def test_every_engine_transmits_the_same():
    """A recurrent conductance network mixing static and Tsodyks-Markram projections: the
    same spikes everywhere; state within 1e-14 of Brian2 (as the conformance table: the
    engines differ only by exp's last bit)."""
    tm = TsodyksMarkramSynapse(weight=0.03 * uS, delay=1 * ms, U=0.5, tau_rec=50 * ms,
                               tau_facil=20 * ms)
    spec = NetworkSpec(
        populations=(Population("e", 5, IF_cond_exp(i_offset=[0.9, 1.0, 1.1, 1.2, 1.3] * nA)),),
        sources=(SpikeSourceArray.from_times("s", [np.arange(2, 80, 7) * ms] * 5),),
        projections=(Projection("s", "e", OneToOne(), tm, label="input"),
                     Projection("e", "e", AllToAll(), tm.replace(delay=2 * ms), label="rec"),
                     Projection("e", "e", AllToAll(), StaticSynapse(weight=0.02 * uS,
                                                                    delay=1 * ms),
                                receptor="inhibitory", label="inh")),
        probes=(Probe("e", "spikes"), Probe("e", "v")))
    runs = [get_engine(e, **o).build(spec, dt=0.1 * ms, seed=3).run(100 * ms).data
            for e, o in ENGINES]
    want = runs[0]
    assert len(want["e.spikes"]) >= 10
    for data in runs[1:]:
        np.testing.assert_array_equal(np.asarray(data["e.spikes"].times),
                                      np.asarray(want["e.spikes"].times))
        assert np.max(np.abs(np.asarray(to_si(data["e.v"].values))
                             - np.asarray(to_si(want["e.v"].values)))) < 1e-14


def test_kernel_matches_its_numpy_twin_with_short_term_plasticity():
    from neurosim.engines.numba_engine import NumbaEngine
    from tests.engines.test_numba_engine import _twin_check

    tm = TsodyksMarkramSynapse(weight=0.5 * nA, delay=2 * ms, U=0.4, tau_rec=30 * ms,
                               tau_facil=10 * ms)
    spec = NetworkSpec(
        populations=(Population("a", 4, IF_curr_exp(i_offset=1.6 * nA)),),
        sources=(SpikeSourceArray.from_times("s", [np.arange(1, 60, 3) * ms] * 4),),
        projections=(Projection("s", "a", OneToOne(), tm),
                     Projection("a", "a", AllToAll(), tm.replace(weight=0.2 * nA),
                                receptor="inhibitory")))
    sim = NumbaEngine().build(spec, dt=0.1 * ms, seed=0)
    out = _twin_check(sim, 600)
    assert out.recording.rec_count[0] > 20


def test_bad_parameters_are_named():
    for kwargs, name in (({"U": 0.0}, "U"), ({"U": 1.5}, "U"), ({"tau_rec": 0 * ms}, "tau_rec"),
                         ({"tau_facil": -1 * ms}, "tau_facil"), ({"weight": 1 * ms}, "weight")):
        with pytest.raises(ParameterError, match=f"'{name}' parameter of TsodyksMarkramSynapse"):
            TsodyksMarkramSynapse(**kwargs)
    syn = TsodyksMarkramSynapse(weight=W, tau_facil=5 * ms)
    spec = _train_spec(syn)
    assert NetworkSpec.from_json(spec.to_json()) == spec
