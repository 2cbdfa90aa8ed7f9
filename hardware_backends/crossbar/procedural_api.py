"""PyNN's procedural API (create, connect, record...) for the crossbar backend."""

from pyNN import common
from pyNN.connectors import FixedProbabilityConnector

from neurosim.hardware_backends.crossbar import simulator
from neurosim.hardware_backends.crossbar.populations import Population
from neurosim.hardware_backends.crossbar.projections import Projection
from neurosim.hardware_backends.crossbar.standardmodels import StaticSynapse

__all__ = ["connect", "create", "record", "record_gsyn", "record_v"]

create = common.build_create(Population)
connect = common.build_connect(Projection, FixedProbabilityConnector, StaticSynapse)
record = common.build_record(simulator)


def record_v(source, filename):
    return record(["v"], source, filename)


def record_gsyn(source, filename):
    return record(["gsyn_exc", "gsyn_inh"], source, filename)
