"""Equation cells (neurosim.network.equation_cell): a user's Brian2 equations, checked before
any compile, run natively by the brian2 engine and through Brian2's own state-updater
output by the numba and reference engines, with the same spikes."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from neurosim.engines import get_engine
from neurosim.errors import ParameterError, UnsupportedFeature
from neurosim.network import (
    AllToAll,
    EIF_cond_exp_isfa_ista,
    EquationCell,
    Izhikevich,
    NetworkSpec,
    Population,
    Probe,
    Projection,
    SpikeSourceArray,
    StaticSynapse,
    View,
    equation_cell,
)
from neurosim.network import equation_examples as ex
from neurosim.units import ms, mV, nA, nF, nS, pF, to_si, uS

METHODS = ("exact", "exponential_euler", "euler", "rk4")
MODELS = {"adex": (ex.adex, 0.5 * nA), "izhikevich": (ex.izhikevich, 0.01 * nA),
          "qif": (ex.qif, 0.3 * nA), "adaptive_lif": (ex.adaptive_lif, 0.3 * nA)}
# Brian2 refuses these (exact needs linear equations, exponential Euler conditionally
# linear ones: v**2 is neither; AdEx's exp(v) term leaves it conditionally linear in w, g).
REFUSED = {("adex", "exact"), ("izhikevich", "exact"), ("izhikevich", "exponential_euler"),
           ("qif", "exact"), ("qif", "exponential_euler")}
_WEIGHT = {"current": 1.0 * nA, "conductance": 0.02 * uS, "voltage": 4.0 * mV}
# Largest state difference from Brian2 (SI units): only floating point separates the engines
# (NumPy's vectorised exp vs libm's, <= 1 ulp; Brian2 lifts constant subexpressions), which
# the quadratic models amplify (v**2/mV: ~1e3 per ms) and AdEx's exponential Euler passes
# through exp((v - V_T)/Delta_T) in its coefficients. Measured on these nets over 200 ms:
# Izhikevich 2.2e-12 V (euler), 1.7e-11 V (rk4); AdEx exponential Euler 1.5e-14 V; every
# other case <= 1.5e-16 V. Bounds: about 10x the measurement. Spikes: identical.
STATE_TOLERANCE = {("izhikevich", "euler"): 2e-11, ("izhikevich", "rk4"): 2e-10,
                   ("adex", "exponential_euler"): 2e-13}


def _spec(cell_type: type, drive, **params) -> NetworkSpec:
    """DC input: 4 neurons with i_offset 0.6..1.4 x drive and heterogeneous initial v;
    spike input: 3 neurons at i_offset 0.5 x drive from two sources, excitatory (1 ms)
    and inhibitory (2 ms), timed
    so that no neuron gets two inputs in one step (summed in another order than Brian2's
    sequential ``v += w``, a rounding apart, which the chaotic quadratic models amplify)."""
    w = _WEIGHT[cell_type.weight_kind]
    dc = cell_type(i_offset=np.linspace(0.6, 1.4, 4) * drive, **params)
    v0 = np.array([-70.0, -66.0, -62.0, -58.0]) * mV
    return NetworkSpec(
        populations=(Population("dc", 4, dc, {"v": v0}),
                     Population("syn", 3, cell_type(i_offset=0.5 * drive, **params))),
        sources=(SpikeSourceArray.from_times("s", [list(np.arange(5.0, 200, 6.0)) * ms,
                                                   list(np.arange(8.0, 200, 6.0)) * ms]),),
        projections=(
            Projection(View("s", 0, 1), "syn", AllToAll(),
                       StaticSynapse(weight=3 * w, delay=1 * ms)),
            Projection(View("s", 1, 2), "syn", AllToAll(), StaticSynapse(weight=w, delay=2 * ms),
                       receptor="inhibitory")),
        probes=(Probe("dc", "spikes"), Probe("syn", "spikes"), Probe("dc", "v"),
                Probe("syn", "v")))


def _run(engine: str, spec: NetworkSpec, duration=200 * ms, **kw):
    sim = get_engine(engine, **kw).build(spec, dt=0.1 * ms, seed=1)
    sim.run(duration)
    return sim.data


def _assert_same(got, want, pops=("dc", "syn"), tol=1e-15):
    for p in pops:
        a, b = got[f"{p}.spikes"], want[f"{p}.spikes"]
        np.testing.assert_array_equal(np.asarray(a.times), np.asarray(b.times))
        np.testing.assert_array_equal(a.indices, b.indices)
        dv = np.abs(np.asarray(to_si(got[f"{p}.v"].values))
                    - np.asarray(to_si(want[f"{p}.v"].values)))
        assert dv.max() <= tol, (p, dv.max())


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("model", sorted(MODELS))
def test_numba_and_reference_give_brian2s_spikes(model, method):
    make, drive = MODELS[model]
    if (model, method) in REFUSED:
        with pytest.raises(ParameterError, match=r"'method'.*integrate"):
            make(method)
        return
    spec = _spec(make(method), drive)
    want = _run("brian2", spec, codegen_target="numpy")
    for p in ("dc", "syn"):
        assert len(want[f"{p}.spikes"].times) >= 3, "the net must fire to mean anything"
    tol = STATE_TOLERANCE.get((model, method), 2e-15)
    _assert_same(_run("numba", spec), want, tol=tol)
    _assert_same(_run("reference", spec), want, tol=tol)


def _on_every_engine(a: NetworkSpec, b: NetworkSpec, tol: float) -> None:
    for engine in ("numba", "reference", "brian2"):
        _assert_same(_run(engine, a, 100 * ms), _run(engine, b, 100 * ms), tol=tol)


def test_izhikevich_as_equations_is_the_builtin_cell():
    """The textbook form (ex.izhikevich) against PyNN's Izhikevich, the same parameters: the
    same spikes on every engine; states within the conformance table's Izhikevich bound
    (Brian2 canonicalises both forms; v**2 amplifies a last-bit difference)."""
    _on_every_engine(_spec(ex.izhikevich(), 0.01 * nA), _spec(Izhikevich, 0.01 * nA),
                     tol=1e-12)


def test_adex_as_equations_is_the_builtin_cell():
    """Brette & Gerstner's AdEx (ex.adex, rk2; refractory 0.2 ms by Brian2's count) against
    PyNN's EIF_cond_exp_isfa_ista (tau_refrac 0.1 ms by sPyNNaker's count: the same single
    frozen step at dt = 0.1 ms) with tau_m = C/g_L (PyNN's default 9.3667 ms rounds it);
    the same spikes on every engine, states a rounding apart (g_L*(E_L - v) against
    c_m/tau_m*(v_rest - v))."""
    builtin = EIF_cond_exp_isfa_ista  # PyNN's other defaults are Brette & Gerstner's Table 1
    _on_every_engine(_spec(ex.adex(), 0.5 * nA),
                     _spec(builtin, 0.5 * nA, tau_m=281 * pF / (30 * nS)), tol=1e-12)


def test_parameters_are_heterogeneous_and_initial_values_follow_parameters():
    cls = ex.adaptive_lif()
    cell = cls(v_rest=np.array([-70.0, -60.0]) * mV, i_offset=0 * nA)
    spec = NetworkSpec(populations=(Population("p", 2, cell),), probes=(Probe("p", "v"),))
    data = _run("numba", spec, 5 * ms)
    v = np.asarray(to_si(data["p.v"].values))
    # initial v is the parameter v_rest per neuron, and rests there
    np.testing.assert_allclose(v[-1], [-0.070, -0.060], rtol=0, atol=1e-15)


# -- bad equations: named, pointing at the line, before any compile ---------------------
_TAU = {"tau": 10 * ms}


@pytest.mark.parametrize("kwargs, param, fragment", [
    ({"model": "dv/dt = v/tau + I : volt", "parameters": {**_TAU, "I": 1 * nA}},
     "model", "line 1: 'dv/dt = v/tau + I : volt'"),
    ({"model": "dv/dt = -v/tau : volt\ndw/dt = (J - w)/tau : volt", "parameters": _TAU},
     "model", "line 2: 'dw/dt = (J - w)/tau : volt'"),
    ({"model": "dv/dt = -v/tau : volt", "parameters": _TAU, "threshold": "v + 1*mV"},
     "threshold", "'v + 1*mV'"),
    ({"model": "dv/dt = -v/tau : volt", "parameters": _TAU, "reset": "v = 0*mV\nx = 0*mV"},
     "reset", "line 2: 'x = 0*mV'"),
    ({"model": "dv/dt = -v/tau : volt", "parameters": _TAU, "reset": "v = 3"},
     "reset", "line 1: 'v = 3'"),
    ({"model": "dv/dt = -v/tau : volt\ndw/dt = -w/tau +* : volt", "parameters": _TAU},
     "model", "line 2: 'dw/dt = -w/tau +* : volt'"),
    ({"model": "dv/dt = v**2/(tau*mV) : volt", "parameters": _TAU,
      "method": "exponential_euler"}, "method", "'exponential_euler'"),
    ({"model": "dv/dt = -v/tau : volt\ntau : second (constant)", "parameters": {}},
     "parameters", "missing: ['tau']"),
    ({"model": "dv/dt = -v/tau : volt", "parameters": {"tau": 10 * mV}},
     "model", "line 1"),
    ({"model": "dv/dt = -v/tau : volt", "parameters": _TAU, "receptors": {"excitatory": "g"}},
     "receptors['excitatory']", "'g'"),
    ({"model": "dv/dt = -v/tau : volt", "parameters": _TAU, "refractory": 2 * mV},
     "refractory", "2. mV"),
])
def test_bad_equations_name_the_argument_and_the_line(kwargs, param, fragment):
    kwargs = {"threshold": "v > 1*mV", **kwargs}
    with pytest.raises(ParameterError) as err:
        equation_cell(**kwargs)
    assert err.value.param == param
    assert fragment in str(err.value)


@pytest.mark.parametrize("model, what", [
    ("dv/dt = -v/tau + xi*mV/sqrt(ms) : volt", "xi"),
    ("dv/dt = -v/tau : volt\nI_tot : amp (summed)", "summed"),
    ("dv/dt = -v/tau : volt\nv_ext : volt (linked)", "linked"),
    ("dv/dt = -v/tau : volt\nI_shared : amp (shared)", "shared"),
    ("dv/dt = -v/tau : volt\nIm = -v/tau*uF/cm**2 : amp/meter**2", "multi-compartment"),
])
def test_brian2_only_features_are_refused_naming_the_brian2_engine(model, what):
    with pytest.raises(UnsupportedFeature, match=f"{what}.*brian2 engine"):
        equation_cell(model, threshold="v > 1*mV", parameters=_TAU)


# -- one declaration, one class; serialisable ------------------------------------------
def test_same_declaration_same_class_and_specs_round_trip():
    assert ex.qif() is ex.qif()
    cls = ex.adaptive_lif()
    assert issubclass(cls, EquationCell) and cls.__name__ == "AdaptiveLIF"
    cell = cls(tau_m=np.array([15.0, 25.0]) * ms)
    assert pickle.loads(pickle.dumps(cell)) == cell
    spec = NetworkSpec(populations=(Population("p", 2, cell),), probes=(Probe("p", "v"),))
    text = spec.to_json()
    assert json.loads(text)["populations"][0]["celltype"]["declaration"]["name"] == "AdaptiveLIF"
    assert NetworkSpec.from_json(text) == spec
    with pytest.raises(AttributeError):  # frozen, like every cell type
        cell.tau_m = 3 * ms  # type: ignore[misc]


def test_changing_a_parameter_reuses_the_compiled_code():
    """The generated module holds no parameter value: a cell with other defaults has the
    same functions (and, in a new process, the same cache entry)."""
    from neurosim.engines.cellgen import numba_functions

    other = equation_cell(
        "dv/dt = ((v - v_rest)*(v - v_c)/delta_v + R*(I_syn + i_offset))/tau : volt\n"
        "dI_syn/dt = -I_syn/tau_syn : amp",
        threshold="v >= v_peak", reset="v = v_reset", refractory=1 * ms, method="euler",
        parameters={**{k: v for k, v in ex.qif().defaults().items() if k != "tau_refrac"},
                    "tau": 20 * ms}, initial={"v": "v_rest"},
        receptors={"excitatory": "I_syn", "inhibitory": "-I_syn"}, name="QIF")
    assert other is not ex.qif("euler")
    assert numba_functions(other) == numba_functions(ex.qif("euler"))


@pytest.mark.slow
def test_a_new_process_loads_the_cached_build_without_compiling():
    script = textwrap.dedent("""
        from neurosim.engines.cellgen import numba_functions
        from neurosim.network import equation_examples as ex
        update, spike, _ = numba_functions(ex.adex("euler"))
        print("RESULT", sum(update.stats.cache_hits.values()),
              sum(update.stats.cache_misses.values()), sum(spike.stats.cache_hits.values()))
    """)
    runs = [subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                           check=True).stdout.split("RESULT")[-1].split() for _ in range(2)]
    hits, misses, spike_hits = runs[1]
    # the second process finds both functions in Numba's cache and compiles nothing; the
    # load time (issue 18's < 0.5 s) is measured by benchmarks/equation_cells.py, not timed
    # here: on a loaded CI machine it read 0.55 s with the same zero misses
    assert (int(hits), int(misses), int(spike_hits)) == (1, 0, 1), runs


@pytest.mark.parametrize("cell", ["equations", "IF_curr_delta"])
def test_input_while_refractory_follows_brian2(cell):
    """Brian2 writes a variable flagged (unless refractory) only where the neuron is not
    refractory (the reset excepted: NeuronGroup's conditional write), and resets after the
    step's synaptic input: a voltage jump arriving in the spike's step or during the
    refractory period is lost (as NEST's iaf_psc_delta by default), one after it counts."""
    from neurosim.network import IF_curr_delta

    if cell == "equations":
        cls = equation_cell(
            "dv/dt = (E_L - v + R*i_offset)/tau : volt (unless refractory)",
            threshold="v > -50*mV", reset="v = -65*mV", refractory=2 * ms,
            parameters={"E_L": -65 * mV, "R": 100 * mV / nA, "tau": 10 * ms,
                        "i_offset": 0 * nA},
            receptors={"excitatory": "v", "inhibitory": "-v"})
        cells = cls(i_offset=np.linspace(0.1, 0.3, 20) * nA)
    else:
        cells = IF_curr_delta(tau_m=10 * ms, cm=0.1 * nF, tau_refrac=2 * ms,
                              i_offset=np.linspace(0.1, 0.3, 20) * nA)
    spec = NetworkSpec(
        populations=(Population("p", 20, cells, {"v": -65 * mV}),),
        sources=(SpikeSourceArray.from_times("s", [list(np.arange(10.0, 200.0, 25.0)) * ms]),),
        projections=(Projection("s", "p", AllToAll(),
                                StaticSynapse(weight=8 * mV, delay=1 * ms)),),
        probes=(Probe("p", "spikes"), Probe("p", "v")))
    want = _run("brian2", spec, codegen_target="numpy")
    v = np.asarray(to_si(want["p.v"].values))
    jumps = np.diff(v, axis=0)
    # the net must exercise the case: some input lands on a refractory neuron (no jump at
    # the input's step for a neuron that has just spiked)
    input_steps = np.arange(109, 2000, 250)
    held = [(s, j) for s in input_steps for j in range(20)
            if v[s, j] == -0.065 and jumps[s, j] == 0.0]
    assert held, "no input arrived during a refractory period"
    for engine in ("numba", "reference"):
        _assert_same(_run(engine, spec), want, pops=("p",), tol=1e-15)


def test_exps_of_parameters_are_computed_once_and_follow_parameter_changes():
    """The adaptive LIF's exact update is exps of parameters only (exp(-dt/tau_w), and
    exp(-dt*int(not_refractory)/tau_m): one constant per value of the flag): the generated
    step calls no exp, the constants sit after the parameters and are recomputed when a
    parameter changes between runs; spikes stay Brian2's."""
    import inspect

    from neurosim.engines.cellgen import numba_module

    cls = ex.adaptive_lif("exact")
    module = numba_module(cls)
    assert module.N_CONSTANTS >= 5
    assert "exp(" not in inspect.getsource(module.update.py_func)
    spec = _spec(cls, 0.3 * nA)
    runs = {}
    for engine in ("numba", "brian2"):
        sim = get_engine(engine).build(spec, dt=0.1 * ms, seed=1)
        sim.run(50 * ms)
        sim.set_parameters("dc", tau_w=30 * ms, tau_m=12 * ms)
        sim.run(150 * ms)
        runs[engine] = sim.data
    _assert_same(runs["numba"], runs["brian2"], tol=2e-15)
    before = _run("numba", spec)
    assert not np.array_equal(np.asarray(before["dc.spikes"].times),
                              np.asarray(runs["numba"]["dc.spikes"].times))
