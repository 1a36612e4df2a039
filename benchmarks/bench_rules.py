"""CPU time of the priority rules on the longest texts they read.

The rules read the first 16,000 characters of a text. A pattern that a
failing match tries many ways to read, at every place of such a text, costs
seconds or minutes where an ordinary text costs milliseconds; the rules keep
those down by how they look for each pattern (a number from its first digit,
a run-led pattern where its run starts, fixed parts joined by repeats as
where each part stands). This measures, for each of those, the median CPU
time of ``prioritize`` on its worst text of 16,000 characters against that of
16,000 characters of an ordinary complaint, with the default policy and with
one of a single extra trigger:

* runs of digits (``1``, ``8``, ``12``), as a pasted number or a table is;
* a harm whose every match is cancelled, each read by the modifiers: denied
  (``没拉肚子``), asked (``会拉肚子吗?``) or named as the customer's state, the
  reason for an ask (``拉肚子别送了``, ``我拉肚子了,今天别送了。``,
  ``骨折送上楼``, ``我腿骨折了,麻烦送上楼。``);
* the shapes of pattern a policy may write: words joined by ``.*``, ``.*?``,
  ``\\w*``, ``\\S*``, ``.{0,2000}``, a pattern starting with ``.*``, and a
  part of alternatives (``(?:退款|换货)``, ``(?:没|没有)``) and
  alternatives of such patterns, over 退款 and 没 without 到账.

CPU time, as the ratio to the ordinary text is what is read from it, on a
host that may be busy.

    python benchmarks/bench_rules.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

from triage.labels import CATEGORIES, EMOTIONS, Category
from triage.priority import default_policy, load_policy, prioritize
from triage.results import CategoryResult, EmotionResult, LabelMap

LENGTH = 16_000
ORDINARY = "快递送得太慢了，客服也不回消息。"

DIGITS = ["1", "8", "12"]

CANCELLED = [
    "没拉肚子",
    "会拉肚子吗?",
    "拉肚子别送了",
    "我拉肚子了,今天别送了。",
    "骨折送上楼",
    "我腿骨折了,麻烦送上楼。",
]

SHAPES = [
    ("退款.*没.*到账", "退款没"),
    ("退款.*?没.*?到账", "退款没"),
    (".*退款.*没.*到账", "退款没"),
    (".*?退款.*?没.*?到账", "退款没"),
    (r"退款\w*没\w*到账", "退款没"),
    (r"退款\S*没\S*到账", "退款没"),
    ("退款.{0,2000}没.{0,2000}到账", "退款没"),
    ("(?:退款|换货).*没.*到账", "退款换货没"),
    ("退款.*(?:没|没有).*到账", "退款没有"),
    ("退款.*没.*到账|退货.*没.*到账", "退款退货没"),
]


def _inputs() -> tuple[CategoryResult, EmotionResult]:
    chosen = (Category("product"),)
    probs = LabelMap(CATEGORIES, tuple(0.9 if c in chosen else 0.05 for c in CATEGORIES))
    emotions = EmotionResult(
        LabelMap(EMOTIONS, (0.1,) * len(EMOTIONS)), LabelMap(EMOTIONS, (0,) * len(EMOTIONS)), 0.5
    )
    return CategoryResult(probs, chosen, chosen[0]), emotions


def _cost(text: str, repeat: int, **kwargs: object) -> float:
    cats, emos = _inputs()
    runs = []
    for _ in range(repeat):
        start = time.process_time()
        prioritize(text, cats, emos, **kwargs)  # type: ignore[arg-type]
        runs.append(time.process_time() - start)
    return statistics.median(runs)


def _fill(unit: str) -> str:
    return (unit * (LENGTH // len(unit) + 1))[:LENGTH]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    base = _cost(_fill(ORDINARY), args.repeat)
    print(f"{'text of 16,000 characters':<44}{'ms':>9}{'x ordinary':>12}")
    print(f"{'an ordinary complaint':<44}{base * 1000:>9.1f}{1.0:>12.1f}")
    for run_of in DIGITS:
        cost = _cost(_fill(run_of), args.repeat)
        print(f"{'digits ' + run_of * 3 + '...':<44}{cost * 1000:>9.1f}{cost / base:>12.1f}")
    for unit in CANCELLED:
        cost = _cost(_fill(unit), args.repeat)
        print(f"{unit + ' ...':<44}{cost * 1000:>9.1f}{cost / base:>12.1f}")
    for pattern, unit in SHAPES:
        data = default_policy().to_dict()
        trigger = {"code": "P1.mine", "level": "P1", "zh": "自定", "en": "mine"}
        data["triggers"].append({**trigger, "patterns": [pattern]})
        policy = load_policy(data)
        cost = _cost(_fill(unit), args.repeat, policy=policy)
        print(f"{pattern:<44}{cost * 1000:>9.1f}{cost / base:>12.1f}")


if __name__ == "__main__":
    main()
