"""Wall time of a scikit-learn grid search over `TriageModel`, by where the jobs go.

``GridSearchCV(TriageModel(n_jobs=m), grid, cv=retrain.cv_splits(frame, 3),
n_jobs=s)`` on the first ``--rows`` rows of ``train.csv`` of the shared data,
two values of ``C`` (six fits and the refit), for each (s, m) of ``--pairs``,
each in a fresh process. The search's jobs are processes that each segment,
fit and score a fold; the model's are threads that fit its heads alone.

    python benchmarks/bench_search.py                 # 1,000 rows, thresholds tuned: 5 min
    python benchmarks/bench_search.py --rows 500 --quick  # no threshold tuning: a minute

The data folder is ``$TRIAGE_DATA_DIR`` or ``../shared/data`` beside the repository
(`triage.weak.data_dir`).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from a checkout without installing
from triage.weak import data_dir  # noqa: E402  (the checkout's, on the path above)

DATA = data_dir()  # $TRIAGE_DATA_DIR, else the first shared/data upwards, as the library finds it


def worker(search_jobs: int, model_jobs: int, rows: int, threshold_folds: int) -> None:
    """Run the search once; print its wall seconds and best score as JSON."""
    from sklearn.model_selection import GridSearchCV

    import triage
    from triage.labeled import read_labeled
    from triage.retrain import cv_splits

    frame = read_labeled(DATA / "labeled" / "train.csv").iloc[:rows].reset_index(drop=True)
    model = triage.TriageModel(threshold_folds=threshold_folds, n_jobs=model_jobs)
    search = GridSearchCV(
        model, {"C": [2.0, 10.0]}, cv=cv_splits(frame, 3), n_jobs=search_jobs, refit=True
    )
    triage.segment("快递还没到")  # this process's dictionary loads before the clock starts
    wall = time.perf_counter()
    search.fit(frame)
    print(json.dumps({"wall": time.perf_counter() - wall, "best": search.best_score_}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--quick", action="store_true", help="threshold_folds=0")
    parser.add_argument(
        "--pairs", default="1x1,1x2,2x1,2x2", help="search n_jobs x model n_jobs, comma-separated"
    )
    parser.add_argument("--worker", nargs=2, type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    folds = 0 if args.quick else 5
    if args.worker:
        worker(*args.worker, rows=args.rows, threshold_folds=folds)
        return
    print(f"{args.rows} rows, threshold_folds={folds}, cpus={os.cpu_count()}")
    for pair in args.pairs.split(","):
        s, m = pair.split("x")
        cmd = [sys.executable, __file__, "--worker", s, m, "--rows", str(args.rows)]
        out = subprocess.run(
            cmd + (["--quick"] if args.quick else []), check=True, capture_output=True, text=True
        )
        got = json.loads(out.stdout.strip().splitlines()[-1])
        print(f"search n_jobs={s} model n_jobs={m}: {got['wall']:6.1f} s  best {got['best']:.4f}")


if __name__ == "__main__":
    main()
