"""Start-up and single-text latency of `triage.analyze`.

Each figure comes from a fresh interpreter, so nothing is warm by accident:

* ``import triage``;
* the first ``analyze`` including every load (dictionary, converter, model);
* the median of warm ``analyze`` calls on a 100-character complaint, and of
  the same shipped model reading no clause: without its clause stage, and
  its primary chosen by the heads alone;
* the wall time per warm call of 4,000 calls from one thread and from eight
  threads at once (a service answering many requests), whose ratio is the
  throughput threads add;
* the median CPU time of warm ``analyze`` calls on the complaint repeated
  to 2,000 characters (`triage.MAX_CHARS`) and to 100,000, all of which is
  cleaned of markup before the cut (up to 200,000 characters are) and
  16,000 characters of which the priority rules read; CPU time, as the
  ratio of the two is what is read from it, on a host that may be busy;
* ``explain`` of the same complaint: its first call after ``analyze`` (which
  builds the table of term names) and the median of warm calls;
* the resident memory after the first call (peak RSS);
* the CPU time (user and system) of 10 fresh ``triage analyze`` processes
  answering the complaint, what a shell script calling it pays each time
  from the interpreter's start to its exit, against that of 10 fresh
  ``python -m jieba`` cutting it (jieba's own dictionary cache read).

Baselines measured in the same run for scale: ``import snownlp``, jieba's
dictionary load, and the naive stack (jieba + snownlp + a scikit-learn model)
up to its first answer.

    python benchmarks/bench_single.py [--repeat 5] [--only '100,000']
"""

from __future__ import annotations

import argparse
import json
import math
import resource
import statistics
import subprocess
import sys
import textwrap

COMPLAINT = (
    "我上周在你们店买的电饭煲，用了三天就坏了，按键完全没反应。联系客服说要等售后，"
    "等了五天也没人上门，打电话一直转来转去，问题到现在都没解决，真的太让人失望了！"
    "再这样下去我就要去投诉你们了。"
)
assert 90 <= len(COMPLAINT) <= 110, len(COMPLAINT)

PROBES = {
    "import triage": """
        t = time.perf_counter(); import triage; out = time.perf_counter() - t
    """,
    "first analyze (all loading)": """
        t = time.perf_counter(); import triage; triage.analyze(TEXT); out = time.perf_counter() - t
    """,
    "warm analyze, median": """
        import triage; triage.analyze(TEXT)
        runs = []
        for _ in range(2000):
            t = time.perf_counter(); triage.analyze(TEXT); runs.append(time.perf_counter() - t)
        out = statistics.median(runs)
    """,
    "warm analyze reading no clause": """
        import copy, triage
        from triage._default import get_default_model
        model = copy.copy(get_default_model()).set_params(
            clause_stage=False, primary_complaint_weight=0, primary_order_weight=0
        )
        triage.analyze(TEXT, model=model)
        runs = []
        for _ in range(2000):
            t = time.perf_counter(); triage.analyze(TEXT, model=model)
            runs.append(time.perf_counter() - t)
        out = statistics.median(runs)
    """,
    "warm analyze of 2,000 characters, CPU median": """
        import triage; long = (TEXT * 1000)[:2000]; triage.analyze(long)
        runs = []
        for _ in range(300):
            t = time.process_time(); triage.analyze(long); runs.append(time.process_time() - t)
        out = statistics.median(runs)
    """,
    "warm analyze of 100,000 characters, CPU median": """
        import triage; long = (TEXT * 1000)[:100_000]; triage.analyze(long)
        runs = []
        for _ in range(300):
            t = time.process_time(); triage.analyze(long); runs.append(time.process_time() - t)
        out = statistics.median(runs)
    """,
    "warm analyze, 1 thread, wall per call": """
        import triage; triage.analyze(TEXT)
        t = time.perf_counter()
        for _ in range(4000):
            triage.analyze(TEXT)
        out = (time.perf_counter() - t) / 4000
    """,
    "warm analyze, 8 threads, wall per call": """
        import threading, triage; triage.analyze(TEXT)
        def calls():
            for _ in range(500):
                triage.analyze(TEXT)
        threads = [threading.Thread(target=calls) for _ in range(8)]
        t = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        out = (time.perf_counter() - t) / 4000
    """,
    "first explain after analyze": """
        import triage; triage.analyze(TEXT)
        t = time.perf_counter(); triage.explain(TEXT); out = time.perf_counter() - t
    """,
    "warm explain, median": """
        import triage; triage.explain(TEXT)
        runs = []
        for _ in range(500):
            t = time.perf_counter(); triage.explain(TEXT); runs.append(time.perf_counter() - t)
        out = statistics.median(runs)
    """,
    "peak RSS after first analyze (MB)": """
        import triage; triage.analyze(TEXT)
        out = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    """,
    "baseline: import snownlp": """
        t = time.perf_counter(); import snownlp; out = time.perf_counter() - t
    """,
    "baseline: jieba dictionary load": """
        import jieba
        t = time.perf_counter(); jieba.Tokenizer().initialize(); out = time.perf_counter() - t
    """,
    "baseline: naive stack, first answer": """
        t = time.perf_counter()
        import jieba, snownlp
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        v = TfidfVectorizer(analyzer=jieba.lcut); X = v.fit_transform([TEXT, "很好"])
        m = LogisticRegression().fit(X, [0, 1])
        m.predict_proba(v.transform([TEXT])); snownlp.SnowNLP(TEXT).sentiments
        out = time.perf_counter() - t
    """,
}


# Commands run in fresh processes, and their input: each figure is the CPU
# time of `PROCESSES` of them, the interpreter's start and exit included.
COMMANDS: dict[str, tuple[list[str], str | None]] = {
    "triage analyze, 10 fresh processes, CPU": (["-m", "triage", "analyze", COMPLAINT], None),
    "baseline: python -m jieba, 10 fresh processes, CPU": (["-m", "jieba"], COMPLAINT),
}
PROCESSES = 10


def cpu(args: list[str], stdin: str | None) -> float:
    """User and system CPU seconds of `PROCESSES` fresh processes of `args`."""
    spent = 0.0
    for _ in range(PROCESSES):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        subprocess.run(
            [sys.executable, *args], input=stdin, capture_output=True, text=True, check=True
        )
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        spent += after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return spent


def probe(body: str) -> float:
    code = "import time, statistics, resource, logging\n"
    code += "logging.getLogger('jieba').setLevel(logging.WARNING)\n"
    code += f"TEXT = {COMPLAINT!r}\n" + textwrap.dedent(body) + "\nprint(out)\n"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes per figure (median)")
    parser.add_argument("--json", action="store_true")
    parser.add_argument(
        "--only", metavar="TEXT", help="measure only the figures whose name holds TEXT"
    )
    args = parser.parse_args()
    figures = {}
    for name, body in PROBES.items():
        if args.only is not None and args.only not in name:
            continue
        figures[name] = statistics.median(probe(body) for _ in range(args.repeat))
    for name, (command, stdin) in COMMANDS.items():
        if args.only is None or args.only in name:
            figures[name] = cpu(command, stdin)
    if args.json:
        print(json.dumps(figures, indent=2))
        return

    def fig(name: str) -> float:  # nan for a figure left out (--only)
        return figures.get(name, math.nan)

    naive = fig("baseline: naive stack, first answer")
    print(f"{'measure':<48}{'value':>12}  note")
    for name, value in figures.items():
        unit = "MB" if "MB" in name else ("ms" if "median" in name or "warm" in name else "s")
        shown = value * 1000 if unit == "ms" else value
        note = ""
        if name == "first analyze (all loading)":
            note = f"{value / naive:.2f}x the naive stack's first answer"
        if name == "warm analyze reading no clause":
            note = f"a warm analyze is {fig('warm analyze, median') / value:.1f}x this"
        if name == "warm analyze of 100,000 characters, CPU median":
            short = fig("warm analyze of 2,000 characters, CPU median")
            note = f"{value / short:.1f}x one of 2,000"
        if name == "warm analyze, 8 threads, wall per call":
            one = fig("warm analyze, 1 thread, wall per call")
            note = f"throughput {one / value:.2f}x one thread's (one interpreter lock)"
        if name == "warm explain, median":
            note = f"{value / fig('warm analyze, median'):.1f}x a warm analyze"
        if name == "triage analyze, 10 fresh processes, CPU":
            jieba = fig("baseline: python -m jieba, 10 fresh processes, CPU")
            note = f"{value / jieba:.2f}x jieba's"
        if name == "import triage":
            note = f"{value / fig('baseline: import snownlp'):.3f}x import snownlp"
        print(f"{name:<48}{shown:>10.3f} {unit:<3} {note}")


if __name__ == "__main__":
    main()
