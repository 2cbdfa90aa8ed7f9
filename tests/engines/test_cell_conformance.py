"""Every cell type on every engine: the same spikes, state within one tolerance table.

The net: 3 neurons of the cell type driven by ``i_offset`` (different per cell type, so each
fires repeatedly) and by a spike source through an excitatory (1 ms) and an inhibitory
(2 ms) projection; v and the cell's other recordable variables are probed.

Engines: brian2 (numpy target), numba and reference, each with ``cell_code="generated"``
(every cell type from its declaration) and the default (hand-written steps for IF_curr_exp
and IF_cond_exp).
"""

from __future__ import annotations

import numpy as np
import pytest

from neurosim.engines import get_engine
from neurosim.network import (
    CELL_TYPES,
    AllToAll,
    NetworkSpec,
    Population,
    Probe,
    Projection,
    SpikeSourceArray,
    StaticSynapse,
)
from neurosim.units import ms, mV, nA, to_si, uS

# Drive and weights per cell type: enough to fire several times in 60 ms.
_DRIVE = {"Izhikevich": 0.01 * nA, "HH_cond_exp": 0.5 * nA}
_WEIGHT = {"current": 1.0 * nA, "conductance": 0.02 * uS, "voltage": 4.0 * mV}

# Largest difference of a recorded state variable from Brian2's, in SI units, per cell type.
# Origin: the array engines evaluate Brian2's own abstract code, so only floating point
# separates them: a different exp (NumPy's vectorised exp vs libm's, <= 1 ulp) and Brian2's
# lifting of constant subexpressions. Measured (this net, 60 ms at 0.1 ms): <= 2e-16 for the
# linear cells, 7e-14 V for Izhikevich (v**2 / (mV ms) amplifies v's rounding by ~1e3)
# and HH (stiff gating); the bounds below are 10x the measurement. Spikes: identical.
STATE_TOLERANCE = {
    "IF_curr_exp": 1e-14, "IF_cond_exp": 1e-14, "IF_curr_alpha": 1e-14, "IF_cond_alpha": 1e-14,
    "IF_curr_delta": 1e-14, "EIF_cond_exp_isfa_ista": 1e-14, "EIF_cond_alpha_isfa_ista": 1e-14,
    "Izhikevich": 1e-12, "HH_cond_exp": 1e-12,
}
ENGINES = [("numba", "generated"), ("numba", "fast"), ("reference", "generated"),
           ("reference", "fast")]


def _spec(name: str) -> NetworkSpec:
    cls = CELL_TYPES[name]
    cell = cls(i_offset=_DRIVE.get(name, 1.0 * nA))
    w = _WEIGHT[cls.weight_kind]
    probes = [Probe("p", "spikes")] + [Probe("p", var) for var in cell.recordable]
    return NetworkSpec(
        populations=(Population("p", 3, cell),),
        sources=(SpikeSourceArray.from_times("s", [[5, 12, 30] * ms, [7, 31] * ms]),),
        projections=(
            Projection("s", "p", AllToAll(), StaticSynapse(weight=w, delay=1 * ms)),
            Projection("s", "p", AllToAll(), StaticSynapse(weight=w * 0.5, delay=2 * ms),
                       receptor="inhibitory")),
        probes=tuple(probes))


def _run(engine: str, spec: NetworkSpec, cell_code: str | None = None):
    kw = {} if cell_code is None else {"cell_code": cell_code}
    sim = get_engine(engine, **kw).build(spec, dt=0.1 * ms, seed=3)
    sim.run(60 * ms)
    return sim.data


@pytest.fixture(scope="module")
def brian2_runs():
    return {name: _run("brian2", _spec(name)) for name in CELL_TYPES}


@pytest.mark.parametrize("engine, cell_code", ENGINES)
@pytest.mark.parametrize("name", sorted(CELL_TYPES))
def test_same_spikes_as_brian2(name, engine, cell_code, brian2_runs):
    spec = _spec(name)
    want = brian2_runs[name]
    got = _run(engine, spec, cell_code)
    assert len(want["p.spikes"]) >= 3, "the net must fire for the test to mean anything"
    np.testing.assert_array_equal(np.asarray(got["p.spikes"].times),
                                  np.asarray(want["p.spikes"].times))
    np.testing.assert_array_equal(got["p.spikes"].indices, want["p.spikes"].indices)
    for var in spec.populations[0].celltype.recordable:
        a = np.asarray(to_si(got[f"p.{var}"].values))
        b = np.asarray(to_si(want[f"p.{var}"].values))
        assert a.shape == b.shape
        assert np.max(np.abs(a - b)) <= STATE_TOLERANCE[name], var
