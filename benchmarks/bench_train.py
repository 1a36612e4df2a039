"""Fitting time with BLAS on one thread (as `triage.train` fits) against BLAS's own default.

`triage.train` and `TriageModel.fit` run BLAS on one thread while they fit.
This script measures what that is worth, in one run: the same fit on
``train.csv`` of the shared data, in fresh processes,

* ``limited``: as the library fits;
* ``default``: BLAS left with a thread per core (the fit before the limit,
  reached by calling the fit's body without it);

each once alone and then as two processes at once (two notebooks retraining,
or a fit beside a batch). It prints wall and CPU seconds per fit, and the
median ratios limited / default over ``--rounds`` paired rounds.

    python benchmarks/bench_train.py --rounds 3  # thresholds tuned, as triage train; 3 min a round
    python benchmarks/bench_train.py --quick     # no threshold tuning: a minute a round

The fit uses the shipped model's word vectors, as the shipped model was
fitted, rather than learning them again (the same work either way); the data
folder is ``$TRIAGE_DATA_DIR`` or ``../shared/data`` beside the repository (`triage.weak.data_dir`).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from a checkout without installing
from triage.weak import data_dir  # noqa: E402  (the checkout's, on the path above)

DATA = data_dir()  # $TRIAGE_DATA_DIR, else the first shared/data upwards, as the library finds it
MODES = ("default", "limited")


def worker(mode: str, threshold_folds: int) -> None:
    """Fit once; print wall and CPU seconds as JSON."""
    import triage
    import triage._learn as learn
    from triage._default import get_default_model
    from triage.labeled import read_labeled

    frame = read_labeled(DATA / "labeled" / "train.csv")
    # the shipped model's word vectors: its features, without learning them again
    vectors = get_default_model().word_vectors
    model = triage.TriageModel(word_vectors=vectors, threshold_folds=threshold_folds)
    if mode == "default":  # the fit's body, without the thread limit around it
        learn.fit_model = learn._fit  # type: ignore[assignment]
    triage.segment("快递还没到")  # the dictionary loads before the clock starts
    wall, cpu = time.perf_counter(), time.process_time()
    model.fit(frame)
    print(json.dumps({"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}))


def run(mode: str, copies: int, threshold_folds: int) -> list[dict[str, float]]:
    cmd = [sys.executable, __file__, "--worker", mode, "--threshold-folds", str(threshold_folds)]
    procs = [
        subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=REPO) for _ in range(copies)
    ]
    out = []
    for p in procs:
        stdout, _ = p.communicate()
        if p.returncode:
            sys.exit(f"worker failed: {' '.join(cmd)}")
        out.append(json.loads(stdout.strip().splitlines()[-1]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="no threshold tuning")
    parser.add_argument("--rounds", type=int, default=1, help="paired rounds (median ratios)")
    parser.add_argument("--worker", choices=MODES, help=argparse.SUPPRESS)
    parser.add_argument("--threshold-folds", type=int, default=5, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker, args.threshold_folds)
        return
    if not (DATA / "labeled" / "train.csv").is_file():
        sys.exit(f"missing {DATA / 'labeled' / 'train.csv'}; set TRIAGE_DATA_DIR")
    folds = 0 if args.quick else 5
    print(f"fit of TriageModel(threshold_folds={folds}) on train.csv, fresh processes")
    print(f"{'round':>5} {'processes':>9} {'BLAS':>8} {'wall s':>8} {'CPU s':>8}")
    ratios: dict[int, list[tuple[float, float]]] = {1: [], 2: []}
    for r in range(args.rounds):
        for copies in (1, 2):
            figures = {}
            # alternate which goes first, so a drifting host favours neither
            for mode in MODES if r % 2 == 0 else MODES[::-1]:
                runs = run(mode, copies, folds)
                wall = max(x["wall"] for x in runs)
                cpu = sum(x["cpu"] for x in runs) / copies
                figures[mode] = wall, cpu
                print(f"{r + 1:>5} {copies:>9} {mode:>8} {wall:>8.1f} {cpu:>8.1f}")
            (lw, lc), (dw, dc) = figures["limited"], figures["default"]
            ratios[copies].append((lw / dw, lc / dc))
    for copies, pairs in ratios.items():
        walls, cpus = sorted(w for w, _ in pairs), sorted(c for _, c in pairs)
        print(
            f"{copies} process{'es' if copies > 1 else ''} at once, limited / default "
            f"(median of {len(pairs)}): wall {statistics.median(walls):.2f}x "
            f"({walls[0]:.2f}-{walls[-1]:.2f}), CPU per fit {statistics.median(cpus):.2f}x"
        )


if __name__ == "__main__":
    main()
