"""Presets: construction, documented sources, the statistics they were fitted to, isolation."""

import subprocess
import sys

import numpy as np
import pytest

import neurosim.devices as devices
from neurosim.devices import (
    PRESETS,
    FormingArray,
    NormalSwitching,
    ResistiveDevice,
    esgnn_wang2023,
    lsm_lin2023,
    neurram_wan2022,
    pcm_joshi2020,
    preset,
)
from neurosim.errors import ParameterError
from neurosim.units import second, siemens, uS, volt


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_every_preset_builds_and_documents_its_sources(name):
    obj = preset(name)
    assert isinstance(obj, ResistiveDevice | NormalSwitching)
    assert obj == PRESETS[name]()  # frozen and deterministic
    doc = PRESETS[name].__doc__
    assert "doi:10." in doc and "ssumption" in doc


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_presets_round_trip_through_dicts(name):
    obj = preset(name)
    assert type(obj).from_dict(obj.to_dict()) == obj
    assert hash(obj) == hash(PRESETS[name]())


def test_the_abstract_switching_base_cannot_be_built():
    with pytest.raises(TypeError):
        devices.BreakdownSwitching()


def test_preset_values():
    assert neurram_wan2022().G_max == 40 * uS
    assert neurram_wan2022().sigma_prog == 1.73 * uS
    pcm = pcm_joshi2020()
    assert (pcm.nu, pcm.sigma_nu, pcm.t0) == (0.049, 0.008, 20 * second)
    esg = esgnn_wang2023()
    assert (esg.V_mean, esg.V_sigma) == (3.433 * volt, 0.114 * volt)
    assert lsm_lin2023() == esg  # documented as borrowed from Wang et al. 2023


def test_esgnn_preset_reproduces_its_source_statistics():
    # Source data of Extended Data Fig. 1a,b: mean 3.433 V, s.d. 0.114 V over 400 cells.
    vbd = np.asarray(FormingArray(esgnn_wang2023(), 40_000, 1).breakdown_voltage / volt)
    assert vbd.mean() == pytest.approx(3.433, abs=3 * 0.114 / 200)
    assert vbd.std() == pytest.approx(0.114, rel=0.02)
    # Fig. 1d maps: about half of the cells formed when pulsed at the median V_bd
    g = devices.form_random_weights(esgnn_wang2023(), 40_000, width=100e-9 * second, rng=2,
                                    V=3.433 * volt)
    formed = np.asarray(g / siemens) > 0.1e-6
    assert formed.mean() == pytest.approx(0.5, abs=0.01)


def test_unknown_preset_raises():
    with pytest.raises(ParameterError) as err:
        preset("hfo2_magic")
    assert err.value.param == "name"


def test_public_api_is_exported():
    for name in devices.__all__:
        assert hasattr(devices, name), name


def test_importing_devices_pulls_in_no_model_or_backend():
    code = ("import sys, neurosim.devices; "
            "bad = [m for m in sys.modules if m.startswith(('neurosim.models', "
            "'neurosim.hardware_backends'))]; print(bad); assert not bad")
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=60)
