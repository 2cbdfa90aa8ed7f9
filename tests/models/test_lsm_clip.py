"""The authors' LSM-CLIP protocol (models/lsm_clip.py): their pairs, their metric, and a run
that learns the seen classes, the same twice."""

import numpy as np
import pytest

from neurosim.models.lsm import retrieval_accuracy
from neurosim.models.lsm_clip import (
    AuthorsProtocolParams,
    authors_protocol,
    fixed_pairs,
    summary,
)


def test_fixed_pairs_are_kth_with_kth_within_a_class():
    y_img = np.array([1, 2, 1, 1, 2, 3])
    y_aud = np.array([2, 1, 1, 2, 2])
    pi, pa = fixed_pairs(y_img, np.arange(6), y_aud, np.arange(5), np.array([1, 2]))
    # class 1: images 0, 2, 3 with audio 1, 2 (two audio: two pairs); class 2: images 1, 4
    # with audio 0, 3 (audio 4 has no image left)
    assert pi.tolist() == [0, 2, 1, 4] and pa.tolist() == [1, 2, 0, 3]


def test_retrieval_accuracy_counts_a_class_match_of_the_nearest_candidate():
    cand = np.array([[1.0, 0.0], [0.0, 1.0], [0.6, 0.8]])
    labels = np.array([8, 9, 9])
    queries = np.array([[1.0, 0.0], [0.7, 0.7], [0.0, 1.0]])
    # nearest: candidate 0 (8), candidate 2 (9), candidate 1 (9)
    assert retrieval_accuracy(queries, np.array([8, 8, 9]), cand, labels) == pytest.approx(2 / 3)


@pytest.fixture(scope="module")
def data():
    from neurosim.models.lsm import digits_task, spoken_task

    return {"digits": digits_task(), "spoken": spoken_task()}


def test_a_short_run_learns_the_seen_classes_and_repeats(data):
    p = AuthorsProtocolParams(epochs=4)
    a = authors_protocol(0, params=p, data=data)
    b = authors_protocol(0, params=p, data=data)
    assert a.seen_by_epoch.shape == a.unseen_by_epoch.shape == (4,)
    np.testing.assert_array_equal(a.seen_by_epoch, b.seen_by_epoch)
    np.testing.assert_array_equal(a.unseen_by_epoch, b.unseen_by_epoch)
    # chance = the share of candidates of the query's class: 7 balanced classes, then 2
    assert a.chance_seen == pytest.approx(1 / 7, abs=0.02)
    assert a.chance_unseen == pytest.approx(0.5, abs=0.03)
    # four epochs already retrieve the seen classes far above chance (measured 0.9+), and
    # the loss falls
    assert a.seen > 0.6
    assert a.loss_by_epoch[-1] < a.loss_by_epoch[0]


def test_the_summary_interval_decides_transfer():
    from neurosim.models.lsm_clip import ZeroShotRun

    def run(seen, unseen):
        return ZeroShotRun(np.array([seen]), np.array([unseen]), np.array([1.0]), 1 / 7, 0.5)

    s = summary([run(0.9, 0.52), run(0.95, 0.6), run(0.92, 0.45)])
    assert s["seen"]["above_chance"] and not s["unseen"]["above_chance"]
    lo, hi = s["unseen"]["ci95"]
    assert lo < 0.5 < hi
