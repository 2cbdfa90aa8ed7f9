"""The LSM's event-digits task fed two ways, with one seed each: our frames
(:func:`neurosim.models.lsm.digits_task`) and a Tonic transform chain over the same event
streams (``Compose([on polarity, ToFrame(sensor_size=(16, 16, 1), time_window=6000,
start_time=0, end_time=300000)])``). Prints JSON: accuracy per seed both ways, whether the
frames are identical, and the time of the Tonic route over ours (framing included).

    .venv/bin/python benchmarks/lsm_tonic.py [--seeds 0 1 2]

Needs the extra ``events`` (Tonic).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from neurosim.events import DIGITS_SENSOR, events_to_frames, load_event_digits
from neurosim.models.lsm import TASK_PARAMS, LiquidStateMachine, _split

N_FRAMES, WINDOW_US = 50, 6000


def _on_only(ev: np.ndarray) -> np.ndarray:
    return ev[ev["p"] == 1]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    args = ap.parse_args()
    import tonic.transforms as T

    chain = T.Compose([_on_only, T.ToFrame(sensor_size=(*DIGITS_SENSOR, 1),
                                           time_window=WINDOW_US, start_time=0,
                                           end_time=N_FRAMES * WINDOW_US)])
    streams, labels = load_event_digits(seed=0)
    rows = []
    for seed in args.seeds:
        tr, te = _split(len(labels), seed, 0.7)
        t0 = time.perf_counter()
        frames = events_to_frames(streams, DIGITS_SENSOR, N_FRAMES,
                                  duration=N_FRAMES * WINDOW_US, polarity=1)
        ours = LiquidStateMachine(TASK_PARAMS["digits"], seed=seed).fit(frames[tr], labels[tr])
        acc_ours = ours.score(frames[te], labels[te])
        t1 = time.perf_counter()
        lsm = LiquidStateMachine(TASK_PARAMS["digits"], seed=seed, input_transform=chain)
        lsm.fit([streams[i] for i in tr], labels[tr])
        acc_tonic = lsm.score([streams[i] for i in te], labels[te])
        t2 = time.perf_counter()
        rows.append({"seed": seed, "accuracy_ours": acc_ours, "accuracy_tonic": acc_tonic,
                     "equal": acc_ours == acc_tonic, "s_ours": round(t1 - t0, 3),
                     "s_tonic": round(t2 - t1, 3)})
    print(json.dumps({
        "benchmark": "lsm_tonic", "task": "event digits (1797, 50 frames, 70/30 split)",
        "runs": rows, "all_equal": all(r["equal"] for r in rows),
        "mean_accuracy": float(np.mean([r["accuracy_ours"] for r in rows])),
        "time_ratio_tonic_over_ours": round(sum(r["s_tonic"] for r in rows)
                                            / sum(r["s_ours"] for r in rows), 3),
    }, indent=1))


if __name__ == "__main__":
    main()
