"""SpiNNaker: configuration in the run folder, pre-flight validation against sPyNNaker
1!7.4.1's limits, and a deployment on a virtual board with its mapping report."""

import importlib.util
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

from neurosim.errors import ParameterError
from neurosim.hardware_backends.pynn_export import export_script, load_script_output
from neurosim.hardware_backends.spinnaker import (
    BINARIES,
    SpinnakerConfig,
    ValidationError,
    VirtualBoardWarning,
    deploy,
    parse_mapping_report,
    validate,
)
from neurosim.network import (
    AdditiveWeightDependence,
    AllToAll,
    IF_cond_exp,
    IF_curr_exp,
    MultiplicativeWeightDependence,
    NetworkSpec,
    Population,
    Probe,
    Projection,
    SpikePairRule,
    SpikeSourceArray,
    StaticSynapse,
    STDPMechanism,
)
from neurosim.units import ms, nA, uS
from tests.hardware_backends.specs import mapping_spec, round_trip_spec

HAS_SPYNNAKER = importlib.util.find_spec("spynnaker") is not None


def _net(size=256, delay=1 * ms, weights=(1 * nA,), cell=None, synapse=None, n_src=4):
    """Sources -> one population; one projection per weight (all-to-all)."""
    projs = tuple(Projection("src", "pop", AllToAll(),
                             synapse or StaticSynapse(weight=w, delay=delay), label=f"p{k}")
                  for k, w in enumerate(weights))
    return NetworkSpec(
        populations=(Population("pop", size, cell or IF_curr_exp()),),
        sources=(SpikeSourceArray.from_times("src", [[1] * ms] * n_src),),
        projections=projs, probes=(Probe("pop"),))


def _issues(report, check):
    return [i for i in report.failures if i.check == check]


# -- configuration ------------------------------------------------------------------------


def test_config_is_written_for_the_run_folder(tmp_path):
    virtual = SpinnakerConfig()
    assert virtual.virtual and virtual.target.startswith("virtual")
    text = virtual.cfg_text(tmp_path)
    assert "virtual_board = True" in text and "version = 5" in text
    assert f"default_report_file_path = {tmp_path}" in text
    assert "write_sdram_usage_report_per_chip = True" in text
    board = SpinnakerConfig(machine_name="192.168.240.1", version=5).cfg_text(tmp_path)
    assert "machine_name = 192.168.240.1" in board and "virtual_board" not in board
    spalloc = SpinnakerConfig(spalloc_server="https://spinnaker.example/spalloc/",
                              spalloc_user="me").cfg_text(tmp_path)
    assert "spalloc_server = https://spinnaker.example/spalloc/" in spalloc
    with pytest.raises(ParameterError, match="version"):
        SpinnakerConfig(machine_name="board")
    with pytest.raises(ParameterError, match="neurons_per_core"):
        SpinnakerConfig(neurons_per_core=0)


def test_config_from_user_file_reads_the_machine_only(tmp_path):
    user = tmp_path / "user.cfg"
    user.write_text("[Machine]\nmachineName = spinn-4\nversion = 5\nspalloc_server = None\n"
                    "[Reports]\nextract_iobuf = True\n")
    cfg = SpinnakerConfig.from_user_config(user, time_scale_factor=2)
    assert (cfg.machine_name, cfg.version, cfg.spalloc_server) == ("spinn-4", 5, None)
    assert cfg.time_scale_factor == 2 and not cfg.virtual
    assert SpinnakerConfig.from_user_config(tmp_path / "missing.cfg").virtual


@pytest.mark.skipif(not HAS_SPYNNAKER, reason="sPyNNaker is not installed")
def test_binary_table_matches_the_installed_spynnaker():
    import spynnaker.pyNN.model_binaries as binaries

    names = {p.stem for p in Path(binaries.__file__).parent.glob("*.aplx")}
    for cell, rules in BINARIES.items():
        for rule in ("static", "additive", "multiplicative"):
            name = cell if rule == "static" else f"{cell}_stdp_mad_pair_{rule}"
            assert (name in names) == (rule in rules), name


# -- validation ------------------------------------------------------------------------------


def test_a_clean_network_passes_and_reports_its_representation():
    report = validate(round_trip_spec(), timestep=0.1 * ms, duration=50 * ms, seed=1)
    assert report.ok and report.timestep_us == pytest.approx(100)
    hop = report.projections["hop1"]
    assert hop.delay_ticks == 15 and not hop.delay_extension
    assert hop.weight_stored * hop.weight_quantum == pytest.approx(5.0)
    # Three 5 nA projections with fan-in 1: the ring buffer holds up to 15 nA < 2**4.
    assert report.populations["chain"].ring_buffer_shift["excitatory"] == 4
    assert "plastic" in report.summary()


def test_delay_beyond_the_ring_buffer():
    # 256 neurons per core: 8 atom bits + 1 synapse-type bit leave 2**5 = 32 delay slots
    # (3.2 ms at 0.1 ms); one delay extension adds 8 x 32: 28.8 ms in all.
    too_long = validate(_net(delay=30 * ms), timestep=0.1 * ms, raise_on_failure=False)
    [issue] = _issues(too_long, "delay")
    assert issue.target == "projection 'p0'" and issue.value == "300 ticks"
    assert "288 ticks" in issue.limit and "delay_support_adder.py" in issue.source
    extended = validate(_net(delay=5 * ms), timestep=0.1 * ms, raise_on_failure=False)
    assert extended.ok and extended.projections["p0"].delay_extension
    assert extended.projections["p0"].n_delay_stages == 1
    assert any(w.check == "delay" for w in extended.warnings)
    off = validate(_net(delay=5 * ms), timestep=0.1 * ms,
                   config=SpinnakerConfig(allow_delay_extensions=False), raise_on_failure=False)
    assert _issues(off, "delay")[0].limit == "32 ticks"
    # Fewer neurons per core leave more delay slots (2**6 = 64 with 128 neurons per core).
    small = validate(_net(delay=5 * ms), timestep=0.1 * ms,
                     config=SpinnakerConfig(neurons_per_core=128))
    assert not small.projections["p0"].delay_extension


def test_a_weight_that_underflows_to_zero():
    # 4 sources x 20 nA all-to-all: the ring buffer holds up to 80 nA, shift 7, so one
    # step of the 16-bit weight is 2**(7 + 1 - 16) nA = 3.9 pA and 1 pA rounds to 0.
    report = validate(_net(weights=(20 * nA, 0.001 * nA, 0.1 * nA)), timestep=1 * ms,
                      raise_on_failure=False)
    [issue] = _issues(report, "weight")
    assert issue.target == "projection 'p1'" and issue.value == "0.001"
    assert report.populations["pop"].ring_buffer_shift["excitatory"] == 7
    assert report.projections["p1"].weight_stored == 0
    assert report.projections["p0"].weight_error == 0.0
    assert report.projections["p2"].weight_error == pytest.approx(
        abs(round(0.1 * 256) / 256 - 0.1) / 0.1)
    with pytest.raises(ValidationError, match=r"'p1'.*0\.001.*half a quantum"):
        validate(_net(weights=(20 * nA, 0.001 * nA)), timestep=1 * ms)


def test_unsupported_cell_types_and_plasticity():
    class IF_fake(IF_curr_exp):  # a cell type no sPyNNaker binary runs
        pass

    report = validate(_net(cell=IF_fake()), timestep=1 * ms, raise_on_failure=False)
    [issue] = _issues(report, "cell_type")
    assert issue.target == "population 'pop'" and issue.value == "IF_fake"
    # sPyNNaker 1!7.4.1 ships no IF_cond_exp binary for the multiplicative pair rule.
    mult = STDPMechanism(weight_dependence=MultiplicativeWeightDependence(w_min=0 * uS,
                                                                          w_max=0.01 * uS),
                         weight=0.001 * uS, delay=1 * ms)
    report = validate(_net(cell=IF_cond_exp(), synapse=mult), timestep=1 * ms,
                      raise_on_failure=False)
    [issue] = _issues(report, "plasticity")
    assert issue.value == "IF_cond_exp_stdp_mad_pair_multiplicative"
    # Two different rules onto one population cannot merge.
    a = STDPMechanism(weight_dependence=AdditiveWeightDependence(w_max=1 * nA),
                      weight=0.1 * nA, delay=1 * ms)
    b = a.replace(timing_dependence=SpikePairRule(tau_plus=10 * ms))
    spec = _net(synapse=a)
    other = Projection("src", "pop", AllToAll(), b, label="other")
    spec = spec.replace(projections=(*spec.projections, other))
    report = validate(spec, timestep=1 * ms, raise_on_failure=False)
    assert "'other'" in _issues(report, "plasticity")[0].message


def test_too_many_neurons_per_core():
    report = validate(_net(), timestep=1 * ms, config=SpinnakerConfig(neurons_per_core=300),
                      raise_on_failure=False)
    [issue] = _issues(report, "neurons_per_core")
    assert (issue.value, issue.limit) == (300, 256) and "POP_TABLE_MAX_ROW_LENGTH" in issue.source
    # One neuron per core: 1000 cores do not fit a 48-chip board (~767 application cores).
    report = validate(_net(size=1000), timestep=1 * ms,
                      config=SpinnakerConfig(neurons_per_core={"IF_curr_exp": 1}),
                      raise_on_failure=False)
    [issue] = _issues(report, "cores")
    assert issue.value >= 1000 and issue.limit == 767
    # An STDP row holds 254 synapses: all-to-all onto 256 neurons per core does not fit.
    stdp = STDPMechanism(weight_dependence=AdditiveWeightDependence(w_max=1 * nA),
                         weight=0.1 * nA, delay=1 * ms)
    report = validate(_net(synapse=stdp), timestep=1 * ms, raise_on_failure=False)
    assert _issues(report, "synapses_per_row")[0].limit == 254
    assert validate(_net(synapse=stdp), timestep=1 * ms,
                    config=SpinnakerConfig(neurons_per_core=200)).ok


def test_timestep_and_recording_limits():
    report = validate(_net(size=10, delay=None), timestep=0.0015 * ms, raise_on_failure=False)
    assert _issues(report, "timestep")[0].value == "1.5 us"
    assert any(w.check == "timestep" for w in report.warnings)  # below 100 us per tick
    # v of 256 neurons every 0.1 ms for 1 s: 10.3 MB per core, more than its SDRAM share.
    spec = _net().replace(probes=(Probe("pop", "v"),))
    report = validate(spec, timestep=0.1 * ms, duration=1000 * ms)
    [warn] = [w for w in report.warnings if w.check == "recording"]
    assert warn.value == f"{(4 + 4 * 256) * 10000} bytes per core"
    off = SpinnakerConfig(extra_cfg={"Buffers": {"use_auto_pause_and_resume": "False"}})
    with pytest.raises(ValidationError, match="recording"):
        validate(spec, timestep=0.1 * ms, duration=1000 * ms, config=off)


def test_the_ca3_network_fits():
    from neurosim.models.ca3 import CA3Params, ca3_spec

    report = validate(ca3_spec(8, 16, CA3Params()), timestep=1 * ms, duration=1000 * ms)
    assert report.ok, report.summary()


# -- deployment on a virtual board -----------------------------------------------------------


@pytest.mark.skipif(not HAS_SPYNNAKER, reason="sPyNNaker is not installed")
def test_deploy_on_a_virtual_board_reports_the_mapping(tmp_path):
    spec = mapping_spec()
    config = SpinnakerConfig(neurons_per_core={"exc": 128})
    with pytest.warns(VirtualBoardWarning, match="empty"):
        result = deploy(spec, 50 * ms, run_dir=tmp_path / "run", config=config, seed=1,
                        timeout=300)
    assert not result.simulated
    assert len(result.spikes["exc"]) == 0 and set(result.data) == {"exc", "cond"}
    mapping = result.mapping
    pops = mapping.populations
    # 0.1 ms: neuron and synapse cores apart; 300 neurons at 128 per core: 3 slices; the
    # 10 ms delay needs a delay extension on exc's slices.
    assert sorted(c.role for c in pops["exc"]) == ["delay"] * 3 + ["neurons"] * 3 + [
        "synapses"] * 3
    assert [c.atoms for c in pops["exc"] if c.role == "neurons"] == [
        (0, 127), (128, 255), (256, 299)]
    assert sorted(c.role for c in pops["cond"]) == ["neurons", "synapses"]
    assert [c.role for c in pops["stim"]] == ["source"]
    assert all(c.sdram_bytes > 0 for c in mapping.app_cores)
    assert mapping.total_routing_entries > 0 and mapping.chips
    assert set(mapping.routing_entries) >= set(mapping.chips)
    assert mapping.stage_seconds["Mapping Stage"] > 0
    assert any("virtual" in w for w in mapping.warnings)
    # The pre-flight predicted what sPyNNaker computed and placed.
    assert result.validation.cores_needed == len(mapping.app_cores)
    for label, measured in result.spynnaker["populations"].items():
        check = result.validation.populations[label]
        shifts = [check.ring_buffer_shift[r] for r in ("excitatory", "inhibitory")]
        scales = [check.weight_scale[r] for r in ("excitatory", "inhibitory")]
        assert measured["ring_buffer_shifts"] == shifts, label
        assert np.allclose(measured["weight_scales"], scales), label
        assert measured["max_delay_steps_incoming"] == check.max_delay_slots, label
        assert measured["max_atoms_per_core"] == check.neurons_per_core, label
    # Everything is in the run folder; sPyNNaker's home there holds only our stub.
    run = result.run_dir
    assert (run / "spynnaker.cfg").exists() and result.log.exists()
    assert sorted(p.name for p in (run / "home").iterdir() if not p.name.startswith(".mpl")
                  ) == [".spynnaker.cfg"]
    assert result.mapping.report_dir.parent == run / "reports"
    again = parse_mapping_report(result.mapping.report_dir, labels={"exc": "exc"})
    assert len(again.app_cores) == len(mapping.app_cores)
    assert "exc" in mapping.summary()


@pytest.mark.skipif(not HAS_SPYNNAKER, reason="sPyNNaker is not installed")
def test_deploy_refuses_before_running(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValidationError, match="'p0'"):
            deploy(_net(delay=30 * ms), 10 * ms, run_dir=tmp_path / "never")
    assert not (tmp_path / "never").exists()


@pytest.mark.skipif(not HAS_SPYNNAKER, reason="sPyNNaker is not installed")
def test_exported_script_runs_as_is_on_spynnaker(tmp_path):
    # The default backend of the script; a virtual board, configured in the script's folder
    # as a user would (./spynnaker.cfg), with $HOME there so sPyNNaker writes no template.
    spec = round_trip_spec()
    script = export_script(spec, tmp_path / "net.py", timestep=0.1 * ms, duration=20 * ms,
                           seed=1)
    (tmp_path / "spynnaker.cfg").write_text("[Machine]\nvirtual_board = True\nversion = 5\n")
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / ".spynnaker.cfg").write_text("")
    env = {k: v for k, v in os.environ.items() if k != "NEUROSIM_PYNN_BACKEND"}
    (tmp_path / "tmp").mkdir()
    env.update(HOME=str(tmp_path / "home"), MPLCONFIGDIR=str(tmp_path / "home" / "mpl"),
               TMPDIR=str(tmp_path / "tmp"))
    proc = subprocess.run([sys.executable, script.name, "--output", "out.npz"], cwd=tmp_path,
                          env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "virtual run will be empty" in proc.stdout + proc.stderr
    data = load_script_output(tmp_path / "out.npz", spec)
    assert set(data) == {"chain.spikes", "learner.spikes", "stim.spikes"}
    assert (tmp_path / "reports").is_dir()  # sPyNNaker's reports stay in the script's folder
