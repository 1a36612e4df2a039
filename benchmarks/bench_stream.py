"""What ``triage score - -o - --stream`` costs against scoring the same rows from a file.

N rows of complaints written for this script (a product or service, what
went wrong, how the writer feels; some with an order number), as CSV or
JSON Lines, are scored in rounds, each of two commands back to back, in
alternating order:

* ``triage score in.csv -o out.csv`` (a file, read in chunks);
* ``cat in.csv | triage score - -o - --stream`` (a pipe, each row read as it
  arrives and the rows that arrived together scored as one chunk).

Each command's CPU time (user + system, from ``wait4``: the process alone,
not ``cat``) and wall time are reported, and the stream's as ratios to the
file run of the same round, so that a machine whose speed drifts (other
work on it) weighs on both; the median ratios are the figures. The load
average is printed before each round: on a machine busier than its cores,
wall times say more about the others than about triage. Both runs load the
model (about a second of CPU), which the ratios include. The outputs must
be the same bytes: a round whose outputs differ says so.

    python benchmarks/bench_stream.py                      # 100,000 rows, 3 rounds
    python benchmarks/bench_stream.py --rows 20000 --rounds 5 --format jsonl
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

WHAT = ["快递", "外卖", "客服电话", "退款", "这台洗衣机"]
WHAT += ["蓝牙耳机", "订单", "骑手", "商家", "售后"]
WRONG = [
    "三天了还没到",
    "送来的时候汤洒了一半",
    "一直打不通",
    "申请了两周还没退回来",
    "用了一次就坏了",
    "左边没有声音",
    "被无故取消了",
    "态度特别差还骂人",
    "发错了货",
    "拖着不给处理",
]
FEEL = [
    "，太让人生气了！",
    "，到底有没有人管？",
    "。希望尽快解决。",
    "，我要投诉！",
    "，再这样就找消协了。",
    "，孩子等着用，急死了",
    "。",
    "，这已经是第三次了",
]


def complaints(n: int, seed: int = 0) -> list[str]:
    """`n` complaints put together from the phrases above (1,600 kinds, three
    in ten with an order number), in an order fixed by `seed`."""
    pick = random.Random(seed)
    texts = []
    for _ in range(n):
        text = pick.choice(WHAT) + pick.choice(WRONG) + pick.choice(FEEL)
        if pick.random() < 0.3:
            text += f"订单号{pick.randrange(10**8):08d}"
        texts.append(text)
    return texts


def write_input(path: Path, texts: list[str], fmt: str) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        if fmt == "csv":
            out = csv.writer(f)
            out.writerow(["id", "text"])
            out.writerows(enumerate(texts))
        else:
            for i, text in enumerate(texts):
                f.write(json.dumps({"id": i, "text": text}, ensure_ascii=False) + "\n")


def run(
    cmd: list[str], stdin: Path | None, stdout: Path, env: dict[str, str]
) -> tuple[float, float]:
    """CPU seconds (user + system) and wall seconds of `cmd`, `stdin` piped
    into it through ``cat`` when given, its output written to `stdout`."""
    started = time.perf_counter()
    with open(stdout, "wb") as out:
        cat = None
        if stdin is not None:
            with open(stdin, "rb") as src:
                cat = subprocess.Popen(["cat"], stdin=src, stdout=subprocess.PIPE)
        source = cat.stdout if cat is not None else subprocess.DEVNULL
        proc = subprocess.Popen(cmd, stdin=source, stdout=out, stderr=subprocess.PIPE, env=env)
        if cat is not None and cat.stdout is not None:
            cat.stdout.close()  # the command's alone now
        err = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        if cat is not None:
            cat.wait()
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{err}")
    return usage.ru_utime + usage.ru_stime, time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--format", choices=["csv", "jsonl"], default="csv")
    args = parser.parse_args()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    fmt = args.format
    score = [sys.executable, "-m", "triage", "score"]
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        src = tmp / f"in.{fmt}"
        write_input(src, complaints(args.rows), fmt)
        size = src.stat().st_size / 2**20
        print(f"{args.rows:,} rows, {size:.1f} MB of {fmt.upper()}, on {os.cpu_count()} cores")
        formats = ["--input-format", fmt, "--output-format", fmt]
        runs = {
            "file": ([*score, str(src), "-o", str(tmp / f"file.{fmt}"), "-q"], None),
            "stream": ([*score, "-", "-o", "-", "--stream", "-q", *formats], src),
        }
        cpu_ratios, wall_ratios = [], []
        for k in range(args.rounds):
            load = os.getloadavg()[0]
            took = {}
            for name in ("file", "stream") if k % 2 == 0 else ("stream", "file"):
                cmd, stdin = runs[name]
                took[name] = run(cmd, stdin, tmp / f"{name}.out", env)
            (file_cpu, file_wall), (cpu, wall) = took["file"], took["stream"]
            same = (tmp / f"file.{fmt}").read_bytes() == (tmp / "stream.out").read_bytes()
            cpu_ratios.append(cpu / file_cpu)
            wall_ratios.append(wall / file_wall)
            print(
                f"round {k + 1} (load {load:.1f}): file {file_cpu:.2f} s CPU, {file_wall:.2f} s "
                f"wall; --stream {cpu:.2f} s CPU, {wall:.2f} s wall; --stream / file: CPU "
                f"{cpu_ratios[-1]:.2f}, wall {wall_ratios[-1]:.2f}"
                f"{'' if same else ' (OUTPUTS DIFFER)'}",
                flush=True,
            )
        print(
            f"median --stream / file: CPU {statistics.median(cpu_ratios):.2f}, wall "
            f"{statistics.median(wall_ratios):.2f} (load now {os.getloadavg()[0]:.1f})"
        )


if __name__ == "__main__":
    main()
