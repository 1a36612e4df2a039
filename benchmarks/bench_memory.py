"""Peak memory of `triage.batch.score_file` against the rows of its input, by format.

For each pair of input and output formats (CSV, TSV, JSON Lines, Parquet) and
each number of jobs, a generated file of each size is scored in a process of
its own, whose resident memory, and that of its workers, is summed every
0.2 s; the peak is printed beside the rows a second, to be compared within
one run only. Memory that does not grow with the file is the same peak for
every size. The rows are complaints recombined from phrases written here,
one in ten of 5,000 characters (``--long 0`` for short texts alone), each
with a ticket and a channel (read as context).

``--model lexicon`` scores with the keyword baseline (`triage.LexiconModel`),
whose scoring is cheap, so that reading and writing the rows weigh most and a
large file is scored in minutes; ``default`` with the shipped model.

``--frame`` measures `triage.score_frame` instead, on a frame of the same rows
(as ``pd.read_csv`` reads the CSV), in a process of its own: the peak of the
process and its workers over what they held before the call, once a first
call has loaded the model and started the workers, and that a row.

    python benchmarks/bench_memory.py --rows 200000 800000 --long 0 --model lexicon
    python benchmarks/bench_memory.py --pairs csv:parquet jsonl:csv --jobs 1 2
    python benchmarks/bench_memory.py --quick    # a smoke run of a minute or two
    python benchmarks/bench_memory.py --frame --rows 50000 200000 --long 0 --model default
    python benchmarks/bench_memory.py --frame --rows 50000 200000 --long 0 --explain 3 --keep-input
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

PHRASES = [
    "快递一周还没到", "客服态度很差，一直推脱", "退款申请了半个月没到账",
    "商品质量太差，用了两天就坏了", "物流信息三天没更新", "说好的赠品没有给", "订单被无故取消",
    "收到的货和图片不一样", "包装破损严重", "打了十几次电话没人接", "扣款两次，要求退还",
    "会员续费自动扣钱没有提醒", "我要向12315投诉", "外卖送到已经凉了", "骑手态度恶劣",
    "发票一直开不出来", "售后说要等一个月", "价格比昨天贵了一倍", "App一直闪退，登录不上",
    "积分莫名被清零", "安装师傅迟到三个小时", "维修后还是坏的", "账户被冻结了",
    "说好的七天无理由退货不给退", "真是气死我了！", "太失望了", "希望尽快处理",
    "再不解决就找媒体曝光",
]  # fmt: skip
MARKS = ["，", "。", "！", "？", "…", " "]
CHANNELS = ["微博", "电话", "12315", "抖音", ""]
EXTENSIONS = {"csv": "csv", "tsv": "tsv", "jsonl": "jsonl", "parquet": "parquet"}

# scores one file in a process of its own: argv is input, output, jobs, model
SCORE = """
import sys, warnings
warnings.simplefilter("ignore")
from triage.batch import score_file
from triage.lexicon import LexiconModel
model = LexiconModel() if sys.argv[4] == "lexicon" else None
s = score_file(sys.argv[1], sys.argv[2], n_jobs=int(sys.argv[3]), model=model,
               context_columns={"channel": "channel"})
print(s.rows / s.seconds)
"""

# scores a frame in a process of its own, sampling the resident memory of the
# process and its workers: argv is the CSV, jobs, model, explain, keep_input
SCORE_FRAME = """
import os, sys, threading, time, warnings
warnings.simplefilter("ignore")
import pandas as pd
import triage
from triage.lexicon import LexiconModel
sys.path.insert(0, os.path.dirname(sys.argv[6]))
from bench_memory import tree_rss
frame = pd.read_csv(sys.argv[1])
model = LexiconModel() if sys.argv[3] == "lexicon" else None
options = dict(n_jobs=int(sys.argv[2]), model=model, explain=int(sys.argv[4]),
               keep_input=sys.argv[5] == "1", context_columns={"channel": "channel"})
triage.score_frame(frame.iloc[:2000], **options)  # the model loaded, the workers started
before = peak = tree_rss(os.getpid())
done = threading.Event()
def sample():
    global peak
    while not done.wait(0.05):
        peak = max(peak, tree_rss(os.getpid()))
sampler = threading.Thread(target=sample)
sampler.start()
start = time.perf_counter()
scored = triage.score_frame(frame, **options)
seconds = time.perf_counter() - start
done.set()
sampler.join()
print(peak - before, frame.memory_usage(deep=True).sum(), len(frame) / seconds)
"""


def text(r: random.Random, long: float) -> str:
    if r.random() < long:
        parts: list[str] = []
        while sum(map(len, parts)) < 5000:
            parts.append(r.choice(PHRASES) + r.choice(MARKS))
        return "".join(parts)[:5000]
    said = "".join(r.choice(PHRASES) + r.choice(MARKS) for _ in range(r.randint(1, 4)))
    return said + str(r.randint(0, 999))


def generate(path: Path, rows: int, long: float) -> None:
    r = random.Random(rows)
    records = (
        {"ticket": f"T{i:08d}", "channel": r.choice(CHANNELS), "text": text(r, long)}
        for i in range(rows)
    )
    fmt = path.suffix[1:]
    if fmt in ("csv", "tsv"):
        with path.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, ["ticket", "channel", "text"], delimiter=",\t"[fmt == "tsv"])
            writer.writeheader()
            writer.writerows(records)
    elif fmt == "jsonl":
        with path.open("w", encoding="utf-8") as f:
            f.writelines(json.dumps(rec, ensure_ascii=False) + "\n" for rec in records)
    else:
        import pyarrow as pa
        import pyarrow.parquet as pq

        batch: list[dict[str, str]] = []
        writer = None
        for rec in records:
            batch.append(rec)
            if len(batch) == 50_000 or len(batch) == rows:
                table = pa.Table.from_pylist(batch)
                writer = writer or pq.ParquetWriter(path, table.schema)
                writer.write_table(table)
                batch = []
        if batch:
            table = pa.Table.from_pylist(batch)
            writer = writer or pq.ParquetWriter(path, table.schema)
            writer.write_table(table)
        if writer is not None:
            writer.close()


def tree_rss(pid: int) -> int:
    """Resident bytes of `pid` and every process below it."""
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                continue
            children.setdefault(parent, []).append(int(entry))
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo.extend(children.get(p, []))
        try:
            with open(f"/proc/{p}/statm") as f:
                total += int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
        except OSError:
            pass
    return total


def score(source: Path, target: Path, jobs: int, model: str) -> tuple[float, float]:
    """Peak MB of the process tree scoring `source`, and its rows a second."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-c", SCORE, str(source), str(target), str(jobs), model]
    proc = subprocess.Popen(args, env=env, stdout=subprocess.PIPE, text=True)
    peak = 0
    while proc.poll() is None:
        peak = max(peak, tree_rss(proc.pid))
        time.sleep(0.2)
    out = proc.stdout.read() if proc.stdout else ""
    if proc.returncode:
        sys.exit(f"scoring {source} failed with status {proc.returncode}")
    return peak / 2**20, float(out.strip() or "nan")


def score_frame(
    source: Path, jobs: int, model: str, explain: int, keep_input: bool
) -> tuple[float, float, float]:
    """Peak MB of `triage.score_frame` of the CSV `source` over what the
    process held before, the frame's MB, and its rows a second."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    args = [sys.executable, "-c", SCORE_FRAME, str(source), str(jobs), model, str(explain)]
    args += [str(int(keep_input)), __file__]
    out = subprocess.run(args, env=env, stdout=subprocess.PIPE, text=True, check=True).stdout
    peak, frame, rate = map(float, out.split())
    return peak / 2**20, frame / 2**20, rate


def frames(args: argparse.Namespace, tmp: str) -> None:
    """The peak of `triage.score_frame` against the rows of its frame."""
    print(f"{'jobs':>4} {'rows':>10} {'frame MB':>8} {'peak MB':>8} {'B/row':>6} {'rows/s':>7}")
    for jobs in args.jobs:
        for rows in args.rows:
            source = Path(tmp, f"in{rows}.csv")
            if not source.exists():
                generate(source, rows, args.long)
            peak, frame, rate = score_frame(source, jobs, args.model, args.explain, args.keep_input)
            per_row = peak * 2**20 / rows
            print(f"{jobs:>4} {rows:>10,} {frame:>8.0f} {peak:>8.0f} {per_row:>6.0f} {rate:>7.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[100_000, 400_000, 1_600_000])
    parser.add_argument(
        "--pairs", nargs="+", default=["csv:csv", "jsonl:parquet", "parquet:jsonl", "csv:tsv"]
    )
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--long", type=float, default=0.1, help="share of 5,000-character texts")
    parser.add_argument("--model", choices=["lexicon", "default"], default="lexicon")
    parser.add_argument(
        "--quick", action="store_true", help="20,000 and 80,000 short rows, one job"
    )
    parser.add_argument(
        "--frame", action="store_true", help="measure score_frame of a frame, not score_file"
    )
    parser.add_argument("--explain", type=int, default=0, help="score_frame's explain")
    parser.add_argument("--keep-input", action="store_true", help="score_frame's keep_input")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.jobs, args.long, args.pairs = [20_000, 80_000], [1], 0.0, ["csv:parquet"]
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        if args.frame:
            frames(args, tmp)
            return
        print(f"{'input':>8} {'output':>8} {'jobs':>4} {'rows':>10} {'peak MB':>8} {'rows/s':>7}")
        for pair in args.pairs:
            src, dst = pair.split(":")
            for jobs in args.jobs:
                for rows in args.rows:
                    source = Path(tmp, f"in{rows}.{EXTENSIONS[src]}")
                    if not source.exists():
                        generate(source, rows, args.long)
                    target = Path(tmp, f"out.{EXTENSIONS[dst]}")
                    peak, rate = score(source, target, jobs, args.model)
                    target.unlink(missing_ok=True)
                    print(f"{src:>8} {dst:>8} {jobs:>4} {rows:>10,} {peak:>8.0f} {rate:>7.0f}")


if __name__ == "__main__":
    main()
