"""Exceptions raised by neurosim.

Every error a user can provoke with bad input names what was wrong, the value given and
what is allowed, in the form of scikit-learn's parameter validation:
``The 'tau_m' parameter of CellParams must be a time > 0 s. Got 20. mV instead.``
"""

from __future__ import annotations

from typing import Any


class NeurosimError(Exception):
    """Base class of every error raised on purpose by neurosim."""


class ParameterError(NeurosimError, ValueError):
    """A parameter has a value that is not allowed.

    Parameters
    ----------
    param
        Name of the parameter.
    value
        The value that was given.
    allowed
        What is allowed, in words ("a time > 0 s", "an int in [1, 4096]").
    owner
        What the parameter belongs to (a class or function name), optional.
    """

    def __init__(self, param: str, value: Any, allowed: str, owner: str | None = None):
        self.param = param
        self.value = value
        self.allowed = allowed
        self.owner = owner
        where = f" of {owner}" if owner else ""
        super().__init__(
            f"The {param!r} parameter{where} must be {allowed}. Got {_show(value)} instead."
        )


class UnsupportedFeature(NeurosimError):
    """A backend or engine cannot build a feature of the spec (raised at build time)."""

    def __init__(self, feature: str, backend: str, alternative: str | None = None):
        self.feature = feature
        self.backend = backend
        self.alternative = alternative
        hint = f" Use {alternative} instead." if alternative else ""
        super().__init__(f"{feature} is not supported by the {backend!r} backend.{hint}")


class EngineUnavailable(NeurosimError):
    """An engine or backend cannot be used here (a package is missing, a board is absent)."""


class SpecError(NeurosimError, ValueError):
    """A network spec is inconsistent (dangling reference, size mismatch, duplicate label)."""


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


class RecordingNotFound(NeurosimError, KeyError):
    """``sim.data[key]`` for a key nothing recorded; the message lists what was."""

    def __init__(self, key: Any, recorded: list[str]):
        self.key = key
        super().__init__(f"nothing recorded as {key!r}; recorded: {recorded} (a Probe "
                         "records one population's variable: Probe('cells', 'v') gives "
                         "'cells.v')")

    def __str__(self) -> str:  # KeyError's own would show the message in quotes
        return str(self.args[0])


class ExtraNotInstalled(NeurosimError, ImportError):
    """A function needs an optional extra that is not installed; the message names it."""

    def __init__(self, what: str, extra: str, module: str):
        self.what, self.extra, self.module = what, extra, module
        super().__init__(f"{what} needs the extra {extra!r} ({module} is not installed): "
                         f"pip install -e '.[{extra}]' (make test installs it)")
