"""Operation sequences for CA3 tests: reference semantics and random protocol generators."""

from __future__ import annotations

from neurosim.models.ca3 import Learn, RecallByContent, RecallByCue


def reference(ops):
    """The paper's semantics: mem[c] = set(bits); cue recall -> mem[c]; content recall ->
    {c : mem[c] & query}. None for learn operations."""
    mem: dict[int, set[int]] = {}
    out = []
    for op in ops:
        if isinstance(op, Learn):
            mem[op.cue] = set(op.content)
            out.append(None)
        elif isinstance(op, RecallByCue):
            out.append(frozenset(mem.get(op.cue, set())))
        else:
            out.append(frozenset(c for c, v in mem.items() if v & op.query))
    return out


def random_protocol(n_c, n_k, n_ops, rng, *, overwrite, content_bits):
    """Random learn / recall operations.

    overwrite: learn may reuse a cue (overwriting); otherwise each cue is learned once.
    content_bits: 0 for no recall by content, else the largest query size.
    """
    ops, used = [], set()
    for _ in range(n_ops):
        r = rng.random()
        free = [c for c in range(n_c) if c not in used]
        if r < 0.35 and (overwrite or free):
            c = int(rng.integers(n_c)) if overwrite else int(rng.choice(free))
            k = int(rng.integers(1, max(2, n_k // 2)))
            ops.append(Learn(c, frozenset(rng.choice(n_k, size=k, replace=False).tolist())))
            used.add(c)
        elif r < 0.7 or not content_bits:
            ops.append(RecallByCue(int(rng.integers(n_c))))
        else:
            k = int(rng.integers(1, content_bits + 1))
            ops.append(RecallByContent(frozenset(rng.choice(n_k, size=k,
                                                            replace=False).tolist())))
    return ops


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
