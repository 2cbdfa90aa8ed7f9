"""Dense Hebbian networks on a user's data (issue 21): DenseHebbianNetwork.from_examples."""

import numpy as np
import pytest

from neurosim.errors import ParameterError
from neurosim.models import DenseHebbianNetwork


def test_a_network_from_the_users_examples_equals_the_drawn_one():
    # the model's own examples handed back as data give the same stored vectors and the
    # same dynamics; labels are any values, classes taken in sorted order
    net = DenseHebbianNetwork(n_neurons=2000, n_archetypes=3, p_body=4, n_examples=25,
                              quality=0.2, seed=0)
    X = np.concatenate([net.examples[:, k, :].T for k in range(3)])
    y = np.repeat([7, 3, 5], 25)  # archetype 0 is class 7, 1 is 3, 2 is 5
    ours = DenseHebbianNetwork.from_examples(X, y, 4, archetypes=net.archetypes[:, [1, 2, 0]],
                                             seed=0)
    assert list(ours.classes) == [3, 5, 7]
    assert np.array_equal(ours.stored()[0], net.stored()[0][:, [1, 2, 0]])
    # r is measured from the data (the normalisation needs it): 0.2 within 3 sigma
    assert abs(ours.params.quality - 0.2) < 3 * np.sqrt(1 / (2000 * 75))
    np.testing.assert_allclose(ours.run("archetype", target=2).m[[2, 0, 1]],
                               net.run("archetype").m)


def test_from_examples_refuses_what_is_not_pm1_data():
    with pytest.raises(ParameterError, match="examples"):
        DenseHebbianNetwork.from_examples(np.zeros((4, 10)), np.arange(4))
    with pytest.raises(ParameterError, match="n_per_class"):
        DenseHebbianNetwork.from_examples(np.ones((4, 10)), [0, 0, 1, 1], n_per_class=3)
    # the default archetype is the sign of each class's mean example
    x = np.array([[1, 1, -1], [1, -1, -1], [-1, 1, 1], [-1, 1, 1]])
    net = DenseHebbianNetwork.from_examples(x, [0, 0, 1, 1], 2)
    assert net.archetypes.T.tolist() == [[1, 1, -1], [-1, 1, 1]]
