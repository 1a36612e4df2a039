"""Learning word vectors from a large file of texts: time and memory, in one run.

`fit_word_vectors(read_texts(path))` reads a file a chunk at a time and
holds its corpus as one int32 id a word, so that a history of millions of
complaints can be learned from on an ordinary machine. This script measures
that on two Parquet files: the unlabeled texts of the public sets once (as
``triage train --corpus`` learns from them) and the same texts repeated to a
million, each in a fresh process:

* ``segment``: the baseline, reading the file with `read_texts` and
  normalising and segmenting every text as the learning does, keeping
  nothing (the part of the work that grows with the texts);
* ``learn``: `fit_word_vectors(read_texts(path))`.

It prints the wall time and peak RSS (summed over the process and its
workers) of each, and the ratios: learning / segmenting alone in time (the
SVD, run on one thread, adds some 30 s of CPU whatever the number of texts),
and the large file against the small one in peak RSS and time.

    python benchmarks/bench_vectors.py            # 145,412 and 1,000,000 texts, about 6 min
    python benchmarks/bench_vectors.py --quick    # 145,412 and 300,000, about 3 min

Repeated texts add no new word pairs, and the vocabulary is the same
``max_words`` in both files, so the large file measures what grows with the
number of texts (the corpus held, the reading), not a larger vocabulary. The
data folder is ``$TRIAGE_DATA_DIR`` or ``../shared/data`` beside the
repository (`triage.weak.data_dir`).
"""

from __future__ import annotations

import argparse
import itertools
import sys
import tempfile
from pathlib import Path

from bench_batch import peak_rss_mb

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run from a checkout without installing
from triage.weak import data_dir  # noqa: E402  (the checkout's, on the path above)

DATA = data_dir()  # $TRIAGE_DATA_DIR, else the first shared/data upwards, as the library finds it

SEGMENT = """
import sys
from triage import text
from triage.vectors import read_texts
for t in read_texts(sys.argv[1]):
    text.tokenize(text.normalize(t)[:500])
"""
LEARN = """
import sys
from triage.vectors import fit_word_vectors, read_texts
fit_word_vectors(read_texts(sys.argv[1]), n_jobs=int(sys.argv[2]))
"""


def write_corpus(path: Path, texts: list[str], rows: int) -> None:
    import pandas as pd

    pd.DataFrame({"text": list(itertools.islice(itertools.cycle(texts), rows))}).to_parquet(path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="a large file of 300,000 texts")
    parser.add_argument("--jobs", type=int, default=1, help="n_jobs of the learning")
    args = parser.parse_args()
    from triage.vectors import read_corpus

    texts = read_corpus(DATA)
    small, large = len(texts), 300_000 if args.quick else 1_000_000
    print(f"{len(texts):,} unlabeled texts of the public sets, repeated as needed")
    seconds: dict[tuple[str, int], float] = {}
    rss: dict[tuple[str, int], float] = {}
    with tempfile.TemporaryDirectory(prefix="triage-bench-") as tmp:
        for rows in (small, large):
            path = Path(tmp) / f"corpus_{rows}.parquet"
            write_corpus(path, texts, rows)
            for name, code in (("segment", SEGMENT), ("learn", LEARN)):
                cmd = [sys.executable, "-c", code, str(path), str(args.jobs)]
                mb, wall = peak_rss_mb(cmd)
                rss[name, rows], seconds[name, rows] = mb, wall
                print(
                    f"{name:<8} {rows:>9,} texts: {wall:7.1f} s, peak RSS {mb:6,.0f} MB",
                    flush=True,
                )
            path.unlink()
    print("\nratios")
    for rows in (small, large):
        ratio = seconds["learn", rows] / seconds["segment", rows]
        print(f"  time learn / segment alone, {rows:>9,} texts: {ratio:.2f}  (jobs {args.jobs})")
    for name in ("segment", "learn"):
        growth = rss[name, large] / rss[name, small]
        slower = seconds[name, large] / seconds[name, small]
        print(
            f"  {name}, {large:,} / {small:,} texts ({large / small:.1f}x): "
            f"peak RSS {growth:.2f}, time {slower:.2f}"
        )


if __name__ == "__main__":
    main()
