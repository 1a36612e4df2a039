"""How fitting time grows with the labeled rows, as ratios against the smallest.

A team that labels its own complaints has more than the 2,268 rows of
``train.csv`` sooner or later. This script fits `triage.train` (default
parameters, thresholds tuned on 5 folds, no word vectors) on 2,000 to
32,000 rows in fresh processes and prints wall and CPU seconds, peak memory
and the CPU time of each size against that of the smallest, measured in the
same run, beside the ratio of the rows. Peak memory is the process's: the
shipped model that labels the rows is in it too.

The rows are public reviews of ``$TRIAGE_DATA_DIR/raw`` (the texts
`triage.vectors.read_corpus` reads, 20 to 300 characters, shuffled with a
fixed seed) labeled by the shipped model, with the categories of 15 % of
them replaced by one at random so that the heads, as on real labels, cannot
fit every row. Fitting costs what the rows and their words cost, not what
the labels say, so these stand in for labels of one's own.

    python benchmarks/bench_train_rows.py            # 2k to 32k rows: about 8 minutes
    python benchmarks/bench_train_rows.py --quick    # 2k and 4k: about 1 minute
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from a checkout without installing
from triage.weak import data_dir  # noqa: E402  (the checkout's, on the path above)

DATA = data_dir()  # $TRIAGE_DATA_DIR, else the first shared/data upwards, as the library finds it
SIZES = (2_000, 4_000, 8_000, 16_000, 32_000)
NOISE = 0.15


def labeled(n: int):  # type: ignore[no-untyped-def]
    """`n` distinct public reviews labeled by the shipped model, some labels replaced."""
    import pandas as pd

    import triage
    from triage.labels import CATEGORIES
    from triage.vectors import read_corpus

    texts = list(dict.fromkeys(t for t in read_corpus(DATA) if 20 <= len(t) <= 300))
    rng = random.Random(0)
    rng.shuffle(texts)
    if len(texts) < n:
        sys.exit(f"only {len(texts)} distinct texts under {DATA / 'raw'}, {n} asked for")
    frame = pd.DataFrame({"text": texts[:n]})
    columns = ["categories", "primary", *(str(e) for e in triage.EMOTIONS), "priority"]
    out = pd.concat([frame, triage.score_frame(frame)[columns]], axis=1)
    for i in range(n):
        if rng.random() < NOISE:
            out.loc[i, ["categories", "primary"]] = str(rng.choice(CATEGORIES))
    return out.fillna({"categories": "", "primary": ""})


def worker(n: int) -> None:
    """Fit once on `n` rows; print wall and CPU seconds and peak RSS as JSON."""
    import triage

    frame = labeled(n)
    wall, cpu = time.perf_counter(), time.process_time()
    triage.train(frame, random_state=0)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        json.dumps(
            {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu, "mb": peak}
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="2,000 and 4,000 rows only")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(args.worker)
        return
    if not (DATA / "raw").is_dir():
        sys.exit(f"missing {DATA / 'raw'}; set TRIAGE_DATA_DIR")
    sizes = SIZES[:2] if args.quick else SIZES
    print("triage.train on public reviews labeled by the shipped model, fresh processes")
    print(f"{'rows':>7} {'wall s':>8} {'CPU s':>8} {'peak MB':>8} {'rows x':>7} {'CPU x':>7}")
    first = None
    for n in sizes:
        cmd = [sys.executable, __file__, "--worker", str(n)]
        done = subprocess.run(cmd, stdout=subprocess.PIPE, text=True, cwd=REPO, check=False)
        if done.returncode:
            sys.exit(f"worker failed: {' '.join(cmd)}")
        fig = json.loads(done.stdout.strip().splitlines()[-1])
        first = first or (n, fig["cpu"])
        print(
            f"{n:>7,} {fig['wall']:>8.1f} {fig['cpu']:>8.1f} {fig['mb']:>8.0f} "
            f"{n / first[0]:>6.0f}x {fig['cpu'] / first[1]:>6.1f}x",
            flush=True,
        )


if __name__ == "__main__":
    main()
