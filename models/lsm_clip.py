"""LSM-CLIP as Lin et al. run it: the authors' zero-shot protocol beside ours.

Lin, Wang, ... Wang, "Resistive memory-based zero-shot liquid state machine for multimodal
event data learning", arXiv 2307.00771; the authors' code is ``MrLinNing/MemristorLSM``,
``LSM-CLIP-ATV/zero_shot_sim.py`` with ``run_zero_shot_sim_pd64.sh`` (read at a28afca). From
there:

* two frozen 200-neuron reservoirs (event digits, spoken digits), their spike counts the
  features;
* one projection per modality to 64 dimensions with a GELU (``Contrastive_Simple``, ``--models
  OneFC --act gelu --pd 64``), trained on **fixed pairs**: the k-th training utterance of a
  digit with the k-th training image of that digit, in dataset order;
* shuffled batches of 8 pairs (``--feature_batch 8``), in-batch negatives (so some share the
  positive's class), Adam 1e-3 (``--lr 0.001``), 100 epochs, temperature 1.0 (``--tp 1.0``);
* seen classes 1-7, unseen 8-9; the metric: for each audio query, the test image most similar
  to it; a hit if its class is the query's (``valid_acc``: top-1 over all test images of the
  split).

The file that defines ``Contrastive_Simple`` and its loss (``models.py``) is not in the
repository. We choose, and say so: the embeddings are L2-normalised, the loss is CLIP's
symmetric InfoNCE (:func:`~neurosim.models.lsm.info_nce`), features are standardised with the
training set's mean and deviation, and the temperature is 1.0 (the script parses ``--tp``
but, as published, passes it nowhere).

The authors saved a checkpoint only where unseen accuracy reached 85 % and seen 65 %,
checked on the test set every epoch, after a grid search over the reservoirs' input
scales: the published 87.5 % is the best test epoch. :func:`authors_protocol` reports every
epoch's accuracies and the last epoch's, never a selected one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from neurosim.errors import ParameterError
from neurosim.models.lsm import (
    TASK_PARAMS,
    Adam,
    LiquidStateMachine,
    _normalise,
    _one_blas_thread,
    _project,
    _split,
    digits_task,
    info_nce,
    retrieval_accuracy,
    spoken_task,
)
from neurosim.params import Params, choice, number
from neurosim.random import SeedLike, as_seed_sequence, child_seed, make_rng

__all__ = ["AuthorsProtocolParams", "ZeroShotRun", "authors_protocol", "fixed_pairs",
           "retrieval_accuracy"]

SEEN = np.arange(1, 8)
UNSEEN = np.array([8, 9])


class AuthorsProtocolParams(Params):
    """The authors' head and training (``run_zero_shot_sim_pd64.sh``; see the module)."""

    project_dim: int = number(64, low=1, integer=True)
    activation: str = choice("gelu", ("gelu", "linear"))
    temperature: float = number(1.0, low=0.0, low_open=True)
    lr: float = number(1e-3, low=0.0, low_open=True)
    epochs: int = number(100, low=1, integer=True)
    batch: int = number(8, low=2, integer=True)


def fixed_pairs(y_img: np.ndarray, img_idx: np.ndarray, y_aud: np.ndarray,
                aud_idx: np.ndarray, classes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The authors' pairs: within each class, the k-th audio sample with the k-th image (in
    the order given), as many as the class has audio (images truncated to that count).

    Returns
    -------
    (images, audio)
        Indices into the two datasets, pair by pair, classes in order.
    """
    pi, pa = [], []
    for c in classes:
        ii = img_idx[np.asarray(y_img)[img_idx] == c]
        aa = aud_idx[np.asarray(y_aud)[aud_idx] == c]
        k = min(len(ii), len(aa))
        pi.append(ii[:k])
        pa.append(aa[:k])
    return np.concatenate(pi), np.concatenate(pa)


@dataclass(frozen=True)
class ZeroShotRun:
    """One run of :func:`authors_protocol`: accuracy on the authors' metric per epoch, the
    last epoch's, the chance level of each split and the training loss per epoch."""

    seen_by_epoch: np.ndarray
    unseen_by_epoch: np.ndarray
    loss_by_epoch: np.ndarray
    chance_seen: float
    chance_unseen: float

    @property
    def seen(self) -> float:
        return float(self.seen_by_epoch[-1])

    @property
    def unseen(self) -> float:
        return float(self.unseen_by_epoch[-1])


def _embed(h: np.ndarray, W: np.ndarray, b: np.ndarray, activation: str) -> np.ndarray:
    return _normalise(_project(h, W, b, activation)[0])[0]


def authors_protocol(seed: SeedLike = 0, *, weights: str = "device",
                     device: str = "lsm_lin2023", params: AuthorsProtocolParams | None = None,
                     train_fraction: float = 0.7,
                     data: dict[str, tuple[np.ndarray, np.ndarray]] | None = None,
                     progress: bool = False) -> ZeroShotRun:
    """LSM-CLIP on event digits (images) and spoken digits (audio) as the authors train and
    score it (module docstring), on our data: seen 1-7, unseen 8-9.

    Parameters
    ----------
    seed
        Seed of the reservoirs, the train/test split, the head's initial weights and the
        batch order.
    weights, device
        The reservoirs' weights (``"device"``: formed resistive cells of ``device``;
        ``"gaussian"``).
    params
        :class:`AuthorsProtocolParams`.
    train_fraction
        Per modality, the share of samples in training (the rest are test queries and
        candidates).
    data
        ``{"digits": (frames, labels), "spoken": (frames, labels)}`` to reuse loaded tasks.
    progress
        A bar over the epochs.
    """
    p = params or AuthorsProtocolParams()
    data = data or {}
    Xi, yi = data.get("digits") or digits_task()
    Xa, ya = data.get("spoken") or spoken_task()
    if not 0 < train_fraction < 1:
        raise ParameterError("train_fraction", train_fraction, "a fraction in (0, 1)",
                             "authors_protocol")
    ss = as_seed_sequence(seed)
    lsm_i = LiquidStateMachine(TASK_PARAMS["digits"].replace(weights=weights, device=device),
                               seed=child_seed(ss, "a"))
    lsm_a = LiquidStateMachine(TASK_PARAMS["spoken"].replace(weights=weights, device=device),
                               seed=child_seed(ss, "b"))
    tri, tei = _split(len(yi), child_seed(ss, "a"), train_fraction)
    tra, tea = _split(len(ya), child_seed(ss, "b"), train_fraction)
    # dataset order within a class, as the authors' lists are
    tri, tei, tra, tea = (np.sort(x) for x in (tri, tei, tra, tea))
    pi, pa = fixed_pairs(yi, tri, ya, tra, SEEN)
    feats_i = lsm_i.transform(Xi).astype(np.float64)
    feats_a = lsm_a.transform(Xa).astype(np.float64)
    # standardised with the training pairs' statistics
    mi, si = feats_i[pi].mean(0), feats_i[pi].std(0) + 1e-6
    ma, sa = feats_a[pa].mean(0), feats_a[pa].std(0) + 1e-6
    hi, ha = (feats_i - mi) / si, (feats_a - ma) / sa
    rng = make_rng(child_seed(ss, "head"))
    n_in_i, n_in_a = hi.shape[1], ha.shape[1]
    theta = {"Wa": rng.standard_normal((n_in_a, p.project_dim)) / np.sqrt(n_in_a),
             "ba": np.zeros(p.project_dim),
             "Wb": rng.standard_normal((n_in_i, p.project_dim)) / np.sqrt(n_in_i),
             "bb": np.zeros(p.project_dim)}
    adam = Adam(theta, p.lr)
    splits = {}
    for name, classes in (("seen", SEEN), ("unseen", UNSEEN)):
        q = tea[np.isin(ya[tea], classes)]
        c = tei[np.isin(yi[tei], classes)]
        splits[name] = (q, c)
    seen, unseen, losses = [], [], []
    from tqdm.auto import tqdm

    with _one_blas_thread():
        for _ in tqdm(range(p.epochs), desc="LSM-CLIP (authors)", unit="epoch",
                      disable=not progress, leave=False):
            order = rng.permutation(len(pi))
            total = 0.0
            batches = [order[k:k + p.batch] for k in range(0, len(order), p.batch)]
            for b in batches:
                if len(b) < 2:  # a pair alone has no negative
                    continue
                loss, grads = info_nce(ha[pa[b]], hi[pi[b]], theta["Wa"], theta["ba"],
                                       theta["Wb"], theta["bb"], p.temperature, p.activation)
                total += loss / len(batches)
                adam.step(grads)
            losses.append(total)
            for name, out in (("seen", seen), ("unseen", unseen)):
                q, c = splits[name]
                za = _embed(ha[q], theta["Wa"], theta["ba"], p.activation)
                zi = _embed(hi[c], theta["Wb"], theta["bb"], p.activation)
                out.append(retrieval_accuracy(za, ya[q], zi, yi[c]))
    chance = {name: float(np.mean([np.mean(yi[c] == label) for label in ya[q]]))
              for name, (q, c) in splits.items()}
    return ZeroShotRun(np.array(seen), np.array(unseen), np.array(losses), chance["seen"],
                       chance["unseen"])


def interval(values: Any, chance: float) -> dict[str, Any]:
    """Mean, standard deviation and 95 % t interval of ``values`` (one per seed), and
    whether the interval lies above ``chance``."""
    from scipy import stats

    x = np.asarray(values, dtype=float)
    half = (stats.t.ppf(0.975, len(x) - 1) * x.std(ddof=1) / np.sqrt(len(x))
            if len(x) > 1 else float("nan"))
    return {"mean": float(x.mean()), "sd": float(x.std(ddof=1)) if len(x) > 1
            else float("nan"), "ci95": [float(x.mean() - half), float(x.mean() + half)],
            "chance": chance, "above_chance": bool(x.mean() - half > chance)}


def summary(runs: list[ZeroShotRun]) -> dict[str, Any]:
    """:func:`interval` of the last epoch's seen and unseen accuracies over runs (seeds),
    against their mean chance levels."""
    return {name: interval([getattr(r, name) for r in runs],
                           float(np.mean([getattr(r, f"chance_{name}") for r in runs])))
            for name in ("seen", "unseen")}
