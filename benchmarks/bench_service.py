"""Memory of a service: what warm-up loads, what forked workers share, what calls keep.

Each figure comes from a fresh interpreter, reading ``/proc/<pid>/smaps_rollup``
(Linux): resident memory (RSS), and of it the pages a process holds alone
(``Private_*``, its unique set, USS) and those it shares (``Shared_*``).

* a process's resident MB after ``triage.warm_up()``, and after the first
  calls that each load a part of it, in the order ``warm_up`` loads them:
  ``analyze`` of a simplified text (the model, the dictionary and the
  converter), ``explain`` (the term tables it reads), the batch path's term
  lookup (a text that names a problem after praise takes it), and the
  converter back to traditional characters (a text with traditional
  characters takes it);
* a pre-forking server: a master that warms up, with and without
  ``gc.freeze()`` after it, forks ``--workers`` workers; each gives its own
  and its shared MB once forked and again after ``--calls`` ``analyze`` and
  a tenth as many ``explain`` calls of distinct texts and a full collection;
  and the same of a master that called ``analyze`` and ``explain`` once
  instead of warming up (with ``gc.freeze()``), whose workers build the
  rest, each for itself, when a text first takes it;
* what calls keep: one warmed-up process's resident MB before and after
  ``--texts`` distinct texts through ``analyze`` and half as many through
  ``explain``.

The texts are complaints recombined from phrases written here, each with a
number, so no two are the same. Memory is little disturbed by a busy host.

    python benchmarks/bench_service.py            # the README's figures (about 40 min)
    python benchmarks/bench_service.py --quick    # a smoke run of about five minutes
    python benchmarks/bench_service.py --only fork --workers 8
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent

PHRASES = [
    "买的电水壶用了一周就漏水", "快递员把包裹扔在门口就走了", "客服回复永远是模板话术",
    "退货寄回去十天了还没退款", "订的酒店到了说没有房间", "外卖少送了一份米饭",
    "手机屏幕刚贴膜就出现裂纹", "会员费被连续扣了三个月", "安装师傅要额外收二百块",
    "洗衣机转起来声音像拖拉机", "宽带断网两天没人来修", "优惠券结算时突然用不了",
    "衣服洗了一次就严重掉色", "充电宝充不进电", "生鲜到手已经发臭了", "机票改签被收了高额手续费",
    "热线排队四十分钟没人接", "商家发错了颜色还不认账", "发票抬头开错了不给重开",
    "孩子吃了零食以后肚子疼", "我已经打了十几次电话", "你们到底管不管", "太让人寒心了",
    "请尽快给我一个说法", "再拖下去我就去消协投诉", "东西倒是挺好看的", "包装很精美",
]  # fmt: skip
MARKS = ["，", "。", "！", "？", "……"]

# the texts of a process: `texts(n, seed)` gives n distinct complaints
TEXTS = f"""
import random
PHRASES = {PHRASES!r}
MARKS = {MARKS!r}
def texts(n, seed):
    r = random.Random(seed)
    for i in range(n):
        said = "".join(r.choice(PHRASES) + r.choice(MARKS) for _ in range(r.randint(1, 4)))
        yield f"{{said}}订单号{{seed}}{{i:07d}}"
"""

MEMORY = """
def memory(pid="self"):
    fields = {}
    with open(f"/proc/{pid}/smaps_rollup") as f:
        for line in f:
            name, _, rest = line.partition(":")
            value = rest.split()
            if value and value[0].isdigit():
                fields[name] = int(value[0]) / 1024
    return {
        "rss": fields["Rss"],
        "private": fields["Private_Clean"] + fields["Private_Dirty"],
        "shared": fields["Shared_Clean"] + fields["Shared_Dirty"],
    }
"""

# the resident MB after each of the calls named in argv[1] (`warm_up` alone,
# or the first calls that load its parts), each after a full collection
STAGES = """
import gc, json, sys
import triage
from triage._default import get_default_model
calls = {
    "warm_up": triage.warm_up,
    "analyze": lambda: triage.analyze("快递还没到"),
    "+ explain": lambda: triage.explain("快递还没到"),
    "+ the batch path's term lookup": lambda: get_default_model().predict_many(["快递还没到"]),
    "+ the converter to traditional": lambda: triage.analyze("快遞還沒到"),
}
out = {}
for name in sys.argv[1].split("|"):
    calls[name]()
    gc.collect()
    out[name] = memory()["rss"]
print(json.dumps(out))
"""

# a master warms up (argv: workers, calls, freeze, and "analyze" for a
# master that only analyzes and explains a text) and forks its workers; each
# prints its memory once forked and after its calls and a collection
FORK = """
import gc, json, os, sys
import triage
workers, calls, freeze = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3] == "1"
if sys.argv[4] == "analyze":
    triage.analyze("快递还没到")
    triage.explain("快递还没到")
else:
    triage.warm_up()
gc.collect()
if freeze:
    gc.freeze()
master = memory()
read, write = os.pipe()
pids = []
for w in range(workers):
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read)
            forked = memory()
            for i, text in enumerate(texts(calls, w)):
                triage.analyze(text)
                if i % 10 == 0:
                    triage.explain(text)
            gc.collect()
            done = memory()
            os.write(write, (json.dumps([forked, done]) + "\\n").encode())
        finally:
            os._exit(0)
    pids.append(pid)
os.close(write)
with os.fdopen(read) as f:
    lines = f.read().splitlines()
for pid in pids:
    os.waitpid(pid, 0)
print(json.dumps({"master": master, "workers": [json.loads(line) for line in lines]}))
"""

# one process warms up, then analyzes argv[1] distinct texts and explains
# half as many (other texts): its resident MB after each
GROWTH = """
import gc, json, sys
import triage
n = int(sys.argv[1])
triage.warm_up()
gc.collect()
out = {"warm": memory()["rss"]}
for text in texts(n, 1):
    triage.analyze(text)
gc.collect()
out["analyze"] = memory()["rss"]
for text in texts(n // 2, 2):
    triage.explain(text)
gc.collect()
out["explain"] = memory()["rss"]
print(json.dumps(out))
"""


def run(body: str, *args: object) -> Any:
    code = "import logging\nlogging.getLogger('jieba').setLevel(logging.WARNING)\n"
    code += textwrap.dedent(MEMORY) + textwrap.dedent(TEXTS) + textwrap.dedent(body)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    argv = [sys.executable, "-c", code, *map(str, args)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def stages() -> None:
    parts = list(run(STAGES, "warm_up").items())
    loads = "analyze|+ explain|+ the batch path's term lookup|+ the converter to traditional"
    parts += run(STAGES, loads).items()
    print(f"{'a fresh process after':<40}{'RSS MB':>8}")
    for name, mb in parts:
        print(f"{name:<40}{mb:>8.0f}")


def forked(workers: int, calls: int) -> None:
    print(
        f"\n{workers} forked workers, {calls:,} analyze and {calls // 10:,} explain calls each"
        " (MB, the median worker)"
    )
    print(f"{'master':<28}{'master RSS':>11}{'own':>6}{'shared':>8}{'own after':>11}")
    masters = {
        "gc.freeze()": (True, "warm_up"),
        "no gc.freeze()": (False, "warm_up"),
        "analyze and explain, freeze": (True, "analyze"),
    }
    for name, (freeze, warm) in masters.items():
        out = run(FORK, workers, calls, int(freeze), warm)
        rows = sorted(out["workers"], key=lambda w: w[1]["private"])
        forked, done = rows[len(rows) // 2]
        print(
            f"{name:<28}{out['master']['rss']:>11.0f}{forked['private']:>6.0f}"
            f"{forked['shared']:>8.0f}{done['private']:>11.0f}"
        )


def growth(texts: int) -> None:
    out = run(GROWTH, texts)
    print(
        f"\nwarmed up {out['warm']:.0f} MB; after {texts:,} distinct texts through analyze"
        f" {out['analyze']:.0f} MB ({out['analyze'] - out['warm']:+.1f});"
        f" after {texts // 2:,} more through explain {out['explain']:.0f} MB"
        f" ({out['explain'] - out['warm']:+.1f})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=4, help="workers a master forks")
    parser.add_argument("--calls", type=int, default=10_000, help="analyze calls of each worker")
    parser.add_argument(
        "--texts", type=int, default=200_000, help="distinct texts through analyze in one process"
    )
    parser.add_argument("--quick", action="store_true", help="2 workers, 1,000 calls, 20,000 texts")
    parser.add_argument(
        "--only", choices=["warm", "fork", "growth"], help="measure only these figures"
    )
    args = parser.parse_args()
    if not Path("/proc/self/smaps_rollup").exists():
        sys.exit("needs /proc/<pid>/smaps_rollup (Linux 4.14 or later)")
    if args.quick:
        args.workers, args.calls, args.texts = 2, 1_000, 20_000
    if args.only in (None, "warm"):
        stages()
    if args.only in (None, "fork"):
        forked(args.workers, args.calls)
    if args.only in (None, "growth"):
        growth(args.texts)


if __name__ == "__main__":
    main()
