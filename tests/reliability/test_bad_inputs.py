"""Bad input to the public API raises our errors, naming parameter and value: never a raw
exception from deep inside, never a silent result (issue 22). Each case was once accepted
or a raw traceback, or is a neighbour of one."""

import warnings

import numpy as np
import pytest

from neurosim.engines import get_engine
from neurosim.errors import NeurosimError, ParameterError, RecordingNotFound
from neurosim.network import (
    AllToAll,
    FromList,
    IF_curr_exp,
    NetworkSpec,
    Population,
    Probe,
    Projection,
    SpikeSourcePoisson,
    StaticSynapse,
)
from neurosim.units import Hz, ms, mV, nA


def _net(src=None, synapse=None, initial=None):
    proj = (Projection(src.label, "P", AllToAll(), synapse or StaticSynapse(
        weight=0.1 * nA, delay=1 * ms)),) if src is not None else ()
    return NetworkSpec(populations=(Population("P", 2, IF_curr_exp(),
                                               initial_values=initial or {}),),
                       sources=(src,) if src is not None else (), projections=proj,
                       probes=(Probe("P"),))


def _crossbar_setup(**options):
    import neurosim.hardware_backends.crossbar as sim

    sim.setup(**options)
    sim.end()


def _hopfield(alpha):
    from neurosim.models import HopfieldNetwork

    return HopfieldNetwork.from_load(alpha, 100, seed=0)


def _validate(duration):
    from neurosim.hardware_backends.spinnaker import validate

    return validate(_net(), timestep=1 * ms, duration=duration)


def _protocol(**kw):
    from neurosim.models.ca3 import random_protocol

    args = {"n_cues": 4, "n_content": 8, "n_ops": 5, "query_bits": 1, **kw}
    return random_protocol(args.pop("n_cues"), args.pop("n_content"), args.pop("n_ops"),
                           np.random.default_rng(0), **args)


CASES = {
    # (what, call, the parameter the message names)
    "infinite weight": (lambda: StaticSynapse(weight=np.inf * nA), "weight"),
    "NaN initial v": (lambda: _net(initial={"v": np.nan * mV}), "initial_values.v"),
    "a half neuron in FromList": (lambda: FromList([(0.5, 1)]), "pairs"),
    "a cell type as a population": (lambda: NetworkSpec(populations=[IF_curr_exp()]),
                                    "populations"),
    "a probe as a projection": (lambda: NetworkSpec(
        populations=(Population("P", 1, IF_curr_exp()),), projections=(Probe("P"),)),
        "projections"),
    "negative validate duration": (lambda: _validate(-5 * ms), "duration"),
    "NaN validate duration": (lambda: _validate(np.nan * ms), "duration"),
    "unitless validate duration": (lambda: _validate(5), "duration"),
    "negative Hopfield load": (lambda: _hopfield(-0.1), "alpha"),
    "NaN Hopfield load": (lambda: _hopfield(float("nan")), "alpha"),
    "infinite Hopfield load": (lambda: _hopfield(float("inf")), "alpha"),
    "crossbar read_interval < 0": (lambda: _crossbar_setup(read_interval=-1.0),
                                   "read_interval"),
    "crossbar timestep 0": (lambda: _crossbar_setup(timestep=0), "timestep"),
    "crossbar timestep NaN": (lambda: _crossbar_setup(timestep=float("nan")), "timestep"),
    "query longer than content": (lambda: _protocol(query_bits=9), "query_bits"),
    "negative operation count": (lambda: _protocol(n_ops=-1), "n_ops"),
    "run for a negative time": (lambda: get_engine("numba").build(
        _net(), dt=0.1 * ms, seed=1).run(-1 * ms), "duration"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_raises_our_error_naming_the_parameter(case):
    call, param = CASES[case]
    with pytest.raises(NeurosimError) as err:
        call()
    if isinstance(err.value, ParameterError):
        assert err.value.param == param, str(err.value)
    else:
        assert param in str(err.value)


def test_an_option_no_one_reads_is_named_in_a_warning():
    """PyNN's backends ignore one another's setup options (its scenarios pass NEST's
    t_flush to all), so they are not refused, but never ignored without a word."""
    with pytest.warns(UserWarning, match=r"\['bogus_option'\] are not read by this backend"):
        _crossbar_setup(bogus_option=3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _crossbar_setup(read_interval=2.0, seed=3)


def test_a_missing_recording_lists_the_recorded_keys():
    sim = get_engine("numba").build(_net(), dt=0.1 * ms, seed=1)
    with pytest.raises(RecordingNotFound) as err:
        sim.data["cells.w"]
    assert "nothing recorded as 'cells.w'; recorded: ['P.spikes']" in str(err.value)
    assert isinstance(err.value, KeyError)  # a mapping's error, as dict users expect
    assert sim.data.get("cells.w") is None


def test_a_poisson_rate_above_one_over_dt_warns_what_it_becomes():
    spec = NetworkSpec(populations=(Population("P", 2, IF_curr_exp()),),
                       sources=(SpikeSourcePoisson("s", 2, rate=1e9 * Hz),),
                       probes=(Probe("s"),))
    with pytest.warns(UserWarning, match=r"1e\+09 Hz is above 1/dt = 10000 Hz.*every step"):
        sim = get_engine("numba").build(spec, dt=0.1 * ms, seed=1)
    sim.run(1 * ms)
    # what the warning says happens: each of the 2 sources spikes in each of the 10 steps
    assert len(sim.spikes("s").times) == 20
    with warnings.catch_warnings():  # below 1/dt: no warning
        warnings.simplefilter("error")
        get_engine("numba").build(_net(SpikeSourcePoisson("s", 2, rate=9e3 * Hz)),
                                  dt=0.1 * ms, seed=1)


def test_a_blank_input_to_a_sparsey_mac_is_said_not_silent():
    """A blank input has no code (Sparsey: a mac without input stays off); the public
    methods say so instead of returning NaN familiarity silently."""
    from neurosim.models.sparsey import SparseyCoder

    mac = SparseyCoder(seed=0)
    x = np.zeros((3, mac.source_sizes[0]), bool)
    x[1, :24] = True
    with pytest.warns(UserWarning, match=r"2 input\(s\) with no active bit \(rows \[0, 2\]\)"):
        codes, fam, learned = mac.learn_many(x)
    assert np.isnan(fam[[0, 2]]).all() and (codes[[0, 2]] == -1).all()
    assert learned.tolist() == [False, True, False]


def test_a_dt_coarser_than_a_time_constant_warns_unless_it_is_a_boards_tick():
    spec = NetworkSpec(populations=(Population("P", 2, IF_curr_exp(tau_syn_E=0.5 * ms)),),
                       probes=(Probe("P"),))
    for engine in ("numba", "reference", "brian2"):
        with pytest.warns(UserWarning, match=r"'P': dt = 1 ms is coarser than its "
                                             r"tau_syn_E = 0.5 ms"):
            get_engine(engine).build(spec, dt=1 * ms, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        get_engine("numba").build(spec, dt=0.1 * ms, seed=1)  # resolved
        # sPyNNaker's arithmetic at the board's 1 ms tick: the hardware's own setting
        get_engine("numba", integration="spinnaker").build(spec, dt=1 * ms, seed=1)
