"""Models, engines and hardware backends by name, imported only when asked for.

The core never imports :mod:`neurosim.models` or :mod:`neurosim.hardware_backends`; it only
knows their dotted paths here, so ``neurosim list`` is fast and the layering holds.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any

from neurosim.errors import ParameterError

__all__ = ["Entry", "get", "names", "register", "table"]


@dataclass(frozen=True)
class Entry:
    """One registered thing: where it lives and a line about it."""

    kind: str
    name: str
    target: str  # "package.module:attribute"
    summary: str

    def load(self) -> Any:
        module, _, attr = self.target.partition(":")
        obj = importlib.import_module(module)
        return getattr(obj, attr) if attr else obj


_KINDS = ("model", "engine", "backend")
_REGISTRY: dict[str, dict[str, Entry]] = {k: {} for k in _KINDS}


def register(kind: str, name: str, target: str, summary: str) -> None:
    """Register a model, engine or backend under ``name`` (lazy: nothing is imported)."""
    if kind not in _KINDS:
        raise ParameterError("kind", kind, f"one of {_KINDS}", "registry.register")
    _REGISTRY[kind][name] = Entry(kind, name, target, summary)


def names(kind: str) -> list[str]:
    return sorted(_REGISTRY[kind])


def table(kind: str) -> list[Entry]:
    return [_REGISTRY[kind][n] for n in names(kind)]


def get(kind: str, name: str) -> Any:
    """Import and return the registered object; a clear error lists the known names."""
    try:
        entry = _REGISTRY[kind][name]
    except KeyError:
        raise ParameterError(kind, name, f"one of {names(kind)}") from None
    return entry.load()


register("model", "ca3", "neurosim.models.ca3:CA3Memory",
         "CA3 spike-based content-addressable memory (Casanueva-Morato et al. 2024)")
register("engine", "brian2", "neurosim.engines.brian2_engine:Brian2Engine",
         "Brian2, runtime code generation (numpy or cython); SpiNNaker-timed")
register("engine", "reference", "neurosim.engines.reference:ReferenceEngine",
         "NumPy reference: slow, obviously correct, for cross-checks (IF_curr_exp)")
register("engine", "numba", "neurosim.engines.numba_engine:NumbaEngine",
         "Numba kernels: one compiled loop per run (IF_curr_exp, spike arrays, STDP)")
register("engine", "nest", "neurosim.engines.nest_engine:NestEngine",
         "NEST (PyNEST): its own models of PyNN's standard cells; threads (extra 'nest')")
register("model", "hopfield", "neurosim.models.hopfield:HopfieldNetwork",
         "Hopfield network, Glauber dynamics in overlap space (AGS capacity)")
register("model", "dense-hebbian", "neurosim.models.dense_hebbian:DenseHebbianNetwork",
         "Dense P-body Hebbian network: pure, supervised, unsupervised (Agliari et al. 2023)")
register("model", "multitask-hebbian",
         "neurosim.models.multitask_hebbian:MultitaskHebbianNetwork",
         "Diluted-pattern multitasking network: hierarchical retrieval (Agliari et al. 2012)")
register("model", "sparsey", "neurosim.models.sparsey:SparseyCoder",
         "Sparsey macrocolumn: sparse distributed codes, fixed-time single-trial learning")
register("model", "elm", "neurosim.models.elm:ELMNeuron",
         "Expressive Leaky Memory neuron, BPTT-trained (Spieler et al. 2024)")
register("model", "hlop", "neurosim.models.hlop:HLOPNetwork",
         "Spiking MLP with Hebbian orthogonal projection, continual learning (Xiao et al. 2024)")
register("model", "lsm", "neurosim.models.lsm:LiquidStateMachine",
         "Liquid state machine on resistive-memory random weights, zero-shot head (Lin et al.)")
register("backend", "spinnaker", "neurosim.hardware_backends.spinnaker:deploy",
         "SpiNNaker through sPyNNaker: pre-flight validate, virtual board or real/spalloc")
register("backend", "crossbar", "neurosim.hardware_backends.crossbar",
         "PyNN backend on a simulated resistive-memory crossbar (import it as pyNN's sim)")
register("backend", "pynn", "neurosim.hardware_backends.pynn_export:to_pynn",
         "Replay a NetworkSpec on any PyNN module (pyNN.brian2, pyNN.spiNNaker, ...)")
register("backend", "spinnaker-emulator", "neurosim.hardware_backends.spinnaker_emulator:emulate",
         "What a SpiNNaker board computes, bit for bit, without a board (validate + emulate)")
register("engine", "spinnaker-emulator",
         "neurosim.hardware_backends.spinnaker_emulator.engine:SpiNNakerEmulatorEngine",
         "Bit-accurate emulator of sPyNNaker 1!7.4.1 fixed point (IF_curr_exp, additive STDP)")
