import pytest

from neurosim.errors import ParameterError
from neurosim.network import IF_curr_exp
from neurosim.params import Params, Quantity, number, quantity
from neurosim.units import ms, mV, nA


class Membrane(Params):
    tau_m: Quantity = quantity(20 * ms, ms, low=0 * ms, low_open=True)
    gain: float = number(1.0, low=0.0, high=2.0)
    n: int = number(3, low=1, integer=True)


def test_defaults_and_to_si():
    p = Membrane()
    assert p.to_si() == {"tau_m": pytest.approx(0.02), "gain": 1.0, "n": 3}


def test_message_names_parameter_value_and_what_is_allowed():
    with pytest.raises(ParameterError) as err:
        Membrane(tau_m=20 * mV)
    msg = str(err.value)
    assert "'tau_m' parameter of Membrane" in msg
    assert "a time > 0. s" in msg or "a time > 0 s" in msg
    assert "20. mV" in msg
    assert err.value.param == "tau_m" and err.value.owner == "Membrane"


@pytest.mark.parametrize("kwargs, fragment", [
    ({"tau_m": -1 * ms}, "a time > 0"),
    ({"tau_m": 5.0}, "a time"),  # a bare number is never given a unit silently
    ({"gain": 3.0}, "a number in [0.0, 2.0]"),
    ({"gain": True}, "a number"),
    ({"n": 1.5}, "an int >= 1"),
    ({"n": 0}, "an int >= 1"),
])
def test_bad_values(kwargs, fragment):
    with pytest.raises(ParameterError, match="Got"):
        Membrane(**kwargs)
    with pytest.raises(ParameterError) as err:
        Membrane(**kwargs)
    assert fragment in str(err.value)


def test_frozen_hashable_replace():
    p = Membrane()
    with pytest.raises(AttributeError):
        p.tau_m = 1 * ms  # type: ignore[misc]
    q = p.replace(tau_m=10 * ms)
    assert q.tau_m == 10 * ms and p.tau_m == 20 * ms
    assert hash(p) == hash(Membrane()) and p == Membrane() and p != q
    assert len({p, Membrane(), q}) == 2
    with pytest.raises(ParameterError, match="tau_q"):
        p.replace(tau_q=1 * ms)
    with pytest.raises(ParameterError):
        p.replace(tau_m=0 * ms)


def test_dict_round_trip():
    p = IF_curr_exp(tau_m=3 * ms, i_offset=0.5 * nA)
    assert IF_curr_exp.from_dict(p.to_dict()) == p


def test_cross_field_check():
    with pytest.raises(ParameterError, match="'v_reset' parameter of IF_curr_exp"):
        IF_curr_exp(v_reset=-40 * mV, v_thresh=-50 * mV)
