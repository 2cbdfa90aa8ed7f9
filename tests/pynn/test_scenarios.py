"""PyNN 0.13's own system scenarios on ``neurosim.pynn``.

A representative subset runs here (every scenario file is represented); the full count is
``benchmarks/pynn_scenarios.py`` (54/54). The scenarios come from PyNN's source
distribution on the package index (``neurosim.conformance``); without it they skip, saying
why.
"""

from __future__ import annotations

import pytest

from neurosim.conformance import ScenariosUnavailable, collect, run_scenario

SUBSET = [
    "test__simulation_control::test_reset",
    "test__simulation_control::test_reset_with_clear",
    "test__simulation_control::test_run_until",
    "test__simulation_control::test_setup",
    "test_cell_types::test_EIF_cond_alpha_isfa_ista",
    "test_cell_types::test_HH_cond_exp",
    "test_cell_types::test_SpikeSourcePoisson",
    "test_cell_types::test_issue511",
    "test_cell_types::test_update_SpikeSourceArray",
    "test_cell_types::test_composed_neuron_model_homogeneous_receptors",
    "test_connection_handling::test_connection_access_weight_and_delay",
    "test_connectors::test_all_to_all_tsodyksmarkram",
    "test_connectors::test_fixed_number_pre_with_replacement",
    "test_connectors::test_fixed_number_post_with_replacement_heterogeneous_parameters",
    "test_electrodes::test_changing_electrode",
    "test_electrodes::test_ticket226",
    "test_electrodes::test_issue451",
    "test_electrodes::test_issue_465_474_630",
    "test_electrodes::test_issue512",
    "test_issue231::test_issue231",
    "test_issue274::test_issue274",
    "test_parameter_handling::test_set_synaptic_parameters_multiply_connected",
    "test_procedural_api::test_ticket195",
    "test_recording::test_sampling_interval",
    "test_recording::test_record_vm_and_gsyn_from_assembly",
    "test_scenario1::test_scenario1",
    "test_scenario2::test_scenario2",
    "test_ticket166::test_ticket166",
]

@pytest.fixture(scope="module")
def scenarios():
    try:
        return {s.id: s for s in collect("brian2")}
    except ScenariosUnavailable as exc:
        pytest.skip(f"PyNN's scenarios are not available: {exc}")


def test_pynn_runs_54_scenarios_for_its_brian2_backend(scenarios):
    """The harness finds what PyNN 0.13 runs for pyNN.brian2 (54, counted in its sources)."""
    assert len(scenarios) == 54
    assert set(SUBSET) <= set(scenarios)


@pytest.mark.parametrize("case", SUBSET)
def test_scenario_passes_on_neurosim_pynn(scenarios, case):
    import neurosim.pynn as sim

    outcome = run_scenario(scenarios[case], sim)
    assert outcome.status == "passed", outcome.message
