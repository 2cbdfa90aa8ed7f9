"""Operation sequences for CA3 tests (the generators live in neurosim.models.ca3)."""

from __future__ import annotations

from neurosim.models.ca3 import Learn, RecallByContent, RecallByCue, reference_results
from neurosim.models.ca3 import random_protocol as _random_protocol


def reference(ops):
    return reference_results(ops)


def random_protocol(n_c, n_k, n_ops, rng, *, overwrite, content_bits):
    return _random_protocol(n_c, n_k, n_ops, rng, overwrite=overwrite, query_bits=content_bits)


def score(results, expected):
    pairs = [(r.result, e) for r, e in zip(results, expected) if e is not None]
    return sum(r == e for r, e in pairs), len(pairs)


# The authors' test protocols (sPyMem test script for CA3_content_addressable, 5 cues x 10
# bits, dt = 1 ms, one operation every 10 ms), as operation lists.
PAPER_EXPERIMENTS = {
    "1_learn_recall": [Learn(0, frozenset({0, 1, 2, 9})), RecallByCue(0)],
    "2_learn_forget_relearn": [Learn(0, frozenset({0, 1, 2, 9})), RecallByCue(0),
                               Learn(0, frozenset({2, 3, 8})), RecallByCue(0)],
    "4_recall_by_content_one_at_a_time": [
        Learn(0, frozenset({0, 1, 2, 8, 9})), Learn(1, frozenset({0, 7, 8, 9})),
        RecallByContent(frozenset({0})), RecallByContent(frozenset({9})),
        RecallByContent(frozenset({2})), RecallByCue(0), Learn(0, frozenset({2, 3, 9})),
        RecallByCue(0), RecallByContent(frozenset({0})), RecallByContent(frozenset({2})),
        RecallByContent(frozenset({9}))],
    "5_recall_by_content_several_at_a_time": [
        Learn(0, frozenset({0, 1, 2})), Learn(1, frozenset({1, 2, 3})),
        Learn(2, frozenset({2, 3, 4})), RecallByContent(frozenset({0, 4})),
        RecallByContent(frozenset({2})), RecallByCue(1), RecallByContent(frozenset({1, 3}))],
}
