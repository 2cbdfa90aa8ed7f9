"""Every parameter of every cell type, synapse type and spike source refuses what is not a
value of its kind (issue 22): NaN, infinity, the wrong unit, a unitless number, a string.
Each must give our ParameterError naming that parameter: never another exception, never
a silent acceptance. The command line's numeric options are fuzzed with Hypothesis: any
text gives a parsed value or argparse's exit 2, never a traceback."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from neurosim.errors import ParameterError
from neurosim.network import SpikeSourcePoisson, StaticSynapse, TsodyksMarkramSynapse
from neurosim.network.cells import CELL_TYPES
from neurosim.units import Quantity, second, volt


def _bad_values(default):
    """Values of the wrong kind for a parameter whose default is ``default``."""
    if isinstance(default, Quantity):
        wrong = 1 * second if default.has_same_dimensions(volt) else 1 * volt
        bad = [default * np.nan, wrong, "fast"]
        if not default.is_dimensionless:
            bad.append(3.0)  # a number without its unit
        return bad
    if isinstance(default, bool):
        return ["yes"]
    if isinstance(default, int | float):
        return [float("nan"), float("inf"), "fast"]
    return ["fast"]


def _cases():
    for name, cls in CELL_TYPES.items():
        for param, default in cls.defaults().items():
            for k, bad in enumerate(_bad_values(default)):
                yield pytest.param(cls, param, bad, id=f"{name}.{param}-{k}")


@pytest.mark.parametrize("cls, param, bad", list(_cases()))
def test_a_cell_parameter_of_the_wrong_kind_is_refused_by_name(cls, param, bad):
    with pytest.raises(ParameterError) as err:
        cls(**{param: bad})
    assert err.value.param.split(".")[0] == param


@pytest.mark.parametrize("cls", [StaticSynapse, TsodyksMarkramSynapse])
def test_a_synapse_parameter_of_the_wrong_kind_is_refused_by_name(cls):
    refused = 0
    for param, default in cls.defaults().items():
        # a weight's unit is the target's (nA, uS, or mV for delta synapses): seconds are
        # wrong for every target
        bad_values = [default * np.nan, 1 * second, "fast"] if param == "weight" \
            else _bad_values(default)
        for bad in bad_values:
            try:
                cls(**{param: bad})
            except ParameterError as err:
                assert err.param.split(".")[0] == param
                refused += 1
                continue
            raise AssertionError(f"{cls.__name__}({param}={bad!r}) was accepted")
    assert refused >= 2 * len(cls.defaults())


def test_a_poisson_source_refuses_bad_rates_and_sizes():
    from neurosim.units import Hz

    for kwargs, param in [({"rate": -1 * Hz}, "rate"), ({"rate": np.nan * Hz}, "rate"),
                          ({"rate": 5 * volt}, "rate"), ({"rate": 5.0}, "rate")]:
        with pytest.raises(ParameterError) as err:
            SpikeSourcePoisson("s", 2, **kwargs)
        assert err.value.param.split(".")[0] == param
    with pytest.raises(ParameterError):
        SpikeSourcePoisson("s", -1, rate=5 * Hz)


@settings(max_examples=150, deadline=None)
@given(option=st.sampled_from(["--ops", "--n-cues", "--op-interval", "--query-bits", "--seed"]),
       text=st.one_of(st.text(max_size=8), st.floats(allow_nan=True).map(repr),
                      st.integers(-10**6, 10**6).map(str)))
def test_fuzzed_numeric_options_parse_or_exit_2(option, text):
    from neurosim.cli import build_parser

    try:
        args = build_parser().parse_args(["run", "ca3", option, text])
    except SystemExit as err:
        assert err.code == 2
        return
    value = getattr(args, option.lstrip("-").replace("-", "_"))
    if option in ("--ops", "--n-cues"):
        assert isinstance(value, int) and value >= 1
    elif option == "--op-interval":
        assert math.isfinite(value) and value > 0
    elif option == "--query-bits":
        assert isinstance(value, int) and value >= 0


#: numeric options of other commands: (argv before the option, option, what a parsed value
#: must be)
OTHER_OPTIONS = [
    (["run-nir", "g.nir"], "--duration-ms", "positive"),
    (["run-nir", "g.nir"], "--dt-ms", "positive"),
    (["run-nir", "g.nir"], "--input-rate-hz", "positive"),
    (["deploy", "nir", "g.nir", "--spinnaker"], "--dt-ms", "positive"),
    (["run", "ca3"], "--learn-interval", "positive"),
    (["run", "ca3"], "--recall-interval", "positive"),
    (["run", "lsm"], "--read-noise", "nonnegative"),
    (["run", "lsm"], "--seeds", "seeds"),
    (["compare", "--example", "coba"], "--duration-ms", "positive"),
    (["deploy", "ca3", "--spinnaker"], "--ops", "positive int"),
]


@settings(max_examples=150, deadline=None)
@given(case=st.sampled_from(OTHER_OPTIONS),
       text=st.one_of(st.text(max_size=8), st.floats(allow_nan=True).map(repr),
                      st.integers(-10**6, 10**6).map(str)))
def test_fuzzed_options_of_every_command_parse_or_exit_2(case, text):
    from neurosim.cli import build_parser

    head, option, kind = case
    try:
        args = build_parser().parse_args([*head, option, text])
    except SystemExit as err:
        assert err.code == 2
        return
    value = getattr(args, option.lstrip("-").replace("-", "_"))
    if kind == "positive":
        assert math.isfinite(value) and value > 0
    elif kind == "nonnegative":
        assert math.isfinite(value) and value >= 0
    elif kind == "positive int":
        assert isinstance(value, int) and value >= 1
    else:
        assert value and all(isinstance(v, int) for v in value)
