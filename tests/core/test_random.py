import numpy as np
import pytest

from neurosim.errors import ParameterError
from neurosim.random import as_seed_sequence, child_seed, make_rng


def test_same_seed_same_stream():
    assert make_rng(7).random(3).tolist() == make_rng(7).random(3).tolist()
    assert make_rng(7).random(3).tolist() != make_rng(8).random(3).tolist()


def test_children_are_keyed_by_name_not_order():
    a1 = make_rng(child_seed(5, "projection", "a")).random()
    # asking for another child first does not shift "a"
    make_rng(child_seed(5, "projection", "b")).random()
    a2 = make_rng(child_seed(5, "projection", "a")).random()
    b = make_rng(child_seed(5, "projection", "b")).random()
    assert a1 == a2 and a1 != b


def test_generator_seed_is_reproducible():
    s1 = as_seed_sequence(np.random.default_rng(3))
    s2 = as_seed_sequence(np.random.default_rng(3))
    assert s1.generate_state(2).tolist() == s2.generate_state(2).tolist()


@pytest.mark.parametrize("bad", [-1, 1.5, "x", True])
def test_bad_seed(bad):
    with pytest.raises(ParameterError, match="'seed' parameter"):
        as_seed_sequence(bad)
