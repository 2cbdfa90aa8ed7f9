import numpy as np
import pytest

from neurosim.errors import ParameterError, SpecError
from neurosim.network import (
    AdditiveWeightDependence,
    AllToAll,
    FixedProbability,
    FromList,
    IF_cond_exp,
    IF_curr_exp,
    NetworkSpec,
    OneToOne,
    Population,
    Probe,
    Projection,
    RandomDistribution,
    SpikePairRule,
    SpikeSourceArray,
    SpikeSourcePoisson,
    StaticSynapse,
    STDPMechanism,
    View,
)
from neurosim.units import Hz, ms, mV, nA, uS


def _spec(**over):
    parts = dict(
        populations=(Population("exc", 4, IF_curr_exp(),
                                initial_values={"v": -70 * mV, "isyn_exc": 0.1 * nA}),
                     Population("cond", 3, IF_cond_exp())),
        sources=(SpikeSourceArray.from_times("stim", [[1, 2] * ms, [] * ms]),
                 SpikeSourcePoisson("noise", 5, rate=10 * Hz)),
        projections=(
            Projection("stim", View("exc", 0, 2), OneToOne(), StaticSynapse(weight=1 * nA,
                                                                            delay=1 * ms)),
            Projection("exc", "exc", AllToAll(allow_self_connections=False),
                       STDPMechanism(SpikePairRule(), AdditiveWeightDependence(0 * nA, 2 * nA),
                                     weight=0.5 * nA, delay=2 * ms)),
            Projection("noise", "cond", FixedProbability(0.5), StaticSynapse(weight=0.01 * uS),
                       "inhibitory"),
            Projection("stim", "exc", FromList(pairs=((0, 3), (1, 2))),
                       StaticSynapse(weight=2 * nA, delay=1 * ms), label="listed"),
        ),
        probes=(Probe("exc", "spikes"), Probe("exc", "v"), Probe("cond", "gsyn_exc")),
    )
    parts.update(over)
    return NetworkSpec(**parts)


def test_json_round_trip_is_exact():
    spec = _spec()
    again = NetworkSpec.from_json(spec.to_json())
    assert again == spec
    assert again.to_json() == spec.to_json()
    assert hash(again) == hash(spec)


def test_counts_and_lookup():
    spec = _spec()
    assert spec.n_neurons == 7
    assert spec.projection("listed").connector.pairs == ((0, 3), (1, 2))
    assert list(spec.ids(View("exc", 1, 3))) == [1, 2]


def test_dangling_reference():
    with pytest.raises(SpecError, match="'nobody' is not a population or source"):
        _spec(projections=(Projection("nobody", "exc", OneToOne(),
                                      StaticSynapse(weight=1 * nA)),))


def test_view_past_the_end():
    with pytest.raises(SpecError, match="goes past the end"):
        _spec(projections=(Projection("stim", View("exc", 2, 6), OneToOne(),
                                      StaticSynapse(weight=1 * nA)),))


def test_weight_units_must_match_the_cell_type():
    with pytest.raises(ParameterError, match="a conductance in units of"):
        _spec(projections=(Projection("stim", View("cond", 0, 2), OneToOne(),
                                      StaticSynapse(weight=1 * nA)),))


def test_duplicate_labels():
    with pytest.raises(SpecError, match="unique"):
        _spec(populations=(Population("exc", 4, IF_curr_exp()), Population("exc", 2,
                                                                           IF_curr_exp())))


def test_probe_of_unrecordable_variable():
    with pytest.raises(ParameterError, match="'variable' parameter"):
        _spec(probes=(Probe("exc", "gsyn_exc"),))


@pytest.mark.parametrize("make, fragment", [
    (lambda: StaticSynapse(weight=-1 * nA), "a finite weight >= 0"),
    (lambda: StaticSynapse(weight=1 * ms),
     "a current (nA), a conductance (uS) or a voltage jump (mV)"),
    (lambda: StaticSynapse(weight=1 * nA, delay=-1 * ms), "'delay' parameter"),
    (lambda: Population("p", 0, IF_curr_exp()), "'size' parameter"),
    (lambda: IF_curr_exp(tau_m=20 * nA), "'tau_m' parameter of IF_curr_exp must be a time"),
    (lambda: FixedProbability(1.5), "'p_connect' parameter"),
    (lambda: SpikeSourcePoisson("p", 2, rate=-1 * Hz), "'rate' parameter"),
    (lambda: View("p", 3, 2), "'stop' parameter"),
])
def test_component_validation(make, fragment):
    with pytest.raises(ParameterError) as err:
        make()
    assert fragment in str(err.value)


def test_random_initial_v_round_trip_and_draws():
    pop = Population("p", 4000, IF_curr_exp(),
                     initial_values={"v": RandomDistribution("uniform", low=-70 * mV,
                                                             high=-50 * mV)})
    spec = NetworkSpec((pop,), probes=(Probe("p", "v"),))
    again = NetworkSpec.from_json(spec.to_json())
    assert again == spec
    v = again.populations[0].initial("v", 3) * 1e3
    assert np.array_equal(v, pop.initial("v", 3) * 1e3)
    assert v.min() >= -70 and v.max() < -50
    # uniform on 20 mV: mean -60, sd 20/sqrt(12) = 5.77; mean of 4000 within 4 sd/sqrt(n)
    assert abs(v.mean() + 60) < 4 * 5.77 / np.sqrt(4000)
    normal = Population("q", 4000, IF_curr_exp(),
                        initial_values={"v": RandomDistribution("normal", mu=-60 * mV,
                                                                sigma=2 * mV)})
    w = normal.initial("v", 3) * 1e3
    assert abs(w.mean() + 60) < 4 * 2 / np.sqrt(4000)
    assert abs(w.std() - 2) < 0.1  # sd of the sd estimate: 2/sqrt(2*4000) = 0.022


@pytest.mark.parametrize("make, fragment", [
    (lambda: RandomDistribution("beta", low=0 * mV, high=1 * mV), "'name' parameter"),
    (lambda: RandomDistribution("uniform", low=0 * mV), "'params' parameter"),
    (lambda: RandomDistribution("uniform", low=1 * mV, high=0 * mV), "'high' parameter"),
    (lambda: RandomDistribution("uniform", low=0 * mV, high=1 * ms), "same unit"),
    (lambda: Population("p", 2, IF_curr_exp(),
                        initial_values={"v": RandomDistribution("uniform", low=0 * ms,
                                                                high=1 * ms)}),
     "a distribution in volt"),
    (lambda: Population("p", 2, IF_curr_exp(), initial_values={"gsyn_exc": 1 * uS}),
     "state variables of IF_curr_exp"),
    (lambda: Population("p", 2, IF_curr_exp(), initial_values={"v": 1 * nA}),
     "'initial_values.v' parameter of Population must be a voltage"),
])
def test_random_distribution_validation(make, fragment):
    with pytest.raises(ParameterError) as err:
        make()
    assert fragment in str(err.value)


def test_fixed_probability_is_bernoulli_and_sparse_in_memory():
    import tracemalloc

    rng = np.random.default_rng(0)
    ids = np.arange(2000)
    i, j = FixedProbability(0.01).connect(ids, ids, True, rng)
    # 4e6 pairs at p = 0.01: 40000 expected, sd 199: 4 sigma
    assert abs(len(i) - 40_000) < 4 * 199
    assert len(set(zip(i.tolist(), j.tolist()))) == len(i)  # no duplicate pair
    # every row equally likely: in-degree mean 20, chi-square-like spread check
    counts = np.bincount(j, minlength=2000)
    assert abs(counts.var() / counts.mean() - 1) < 0.15  # Poisson-like: var/mean = 1 - p
    i2, _ = FixedProbability(0.01, allow_self_connections=False).connect(ids, ids, True,
                                                                         np.random.default_rng(0))
    assert len(i2) < len(i)
    # 1e5 x 1e5 pairs at p = 1e-4: never a dense matrix (that would be 80 GB)
    big = np.arange(100_000)
    tracemalloc.start()
    i3, _ = FixedProbability(1e-4).connect(big, big, False, np.random.default_rng(1))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert abs(len(i3) - 1e6) < 4 * 1000
    assert peak < 200e6
