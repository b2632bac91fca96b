"""Side-by-side benchmarks of pyo3-ft, PyO3 and a hand-written C extension.

The three modules implement the same API (see examples/ftbench):
  ftbench       pyo3-ft            (examples/ftbench)
  ftbench_pyo3  PyO3 0.28          (benches/ftbench-pyo3)
  ftbench_c     hand-written C     (benches/ftbench-c)
and all three are imported into ONE process of the free-threaded interpreter,
so every number below compares like with like.

Subcommands (`cargo xtask bench` runs them all; each can be run by hand with
the venv's python, target/venv-ft/bin/python):

  timing     ns per call of every workload (best of several timeit repeats),
             1- vs 2-thread throughput, and 2 threads contending on a Counter
  callgrind  instructions per call under `valgrind --tool=callgrind`, and the
             top profile entries of the workloads furthest from C
  summary    reads the JSON files the others (and embed-bench) wrote and says
             which of the performance targets this run meets

Nothing here asserts on a time: the numbers are printed, never checked.
"""

from __future__ import annotations

import argparse
import gc
import itertools
import json
import math
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import timeit
from time import perf_counter, thread_time

# (label, module name), in the column order of every table.
IMPLS = [("pyo3-ft", "ftbench"), ("PyO3", "ftbench_pyo3"), ("C", "ftbench_c")]

# (label, setup, statement): `m` is the module under test. The setup runs
# once; the statement is what is timed. Objects are made by the setup, so
# they are owned by the thread that times them (as in a real program).
WORKLOADS = [
    ("noop()", "f = m.noop", "f()"),
    ("add(1, 2)", "f = m.add", "f(1, 2)"),
    ("sum_list(1000 ints)", "f = m.sum_list; xs = list(range(1000))", "f(xs)"),
    ("make_tuple(obj, 100)", "f = m.make_tuple; obj = object()", "f(obj, 100)"),
    ("greet('world')", "f = m.greet; name = 'world'", "f(name)"),
    ("Point(1.0, 2.0)", "P = m.Point; x = 1.0; y = 2.0", "P(x, y)"),
    ("Point.norm()", "p = m.Point(3.0, 4.0)", "p.norm()"),
    ("Point.x", "p = m.Point(3.0, 4.0)", "p.x"),
    ("Counter.incr()", "c = m.Counter()", "c.incr()"),
    ("AtomicCounter.incr()", "c = m.AtomicCounter()", "c.incr()"),
]

# The workloads issue 5 names for instruction counts; the others are
# measured too (marked "+"), to find where pyo3-ft is furthest from C.
CALLGRIND_REQUIRED = ["noop()", "add(1, 2)", "Point.norm()", "make_tuple(obj, 100)"]
# Fewer calls for the workloads that do a lot per call.
CALLGRIND_DIVISOR = {"sum_list(1000 ints)": 10}


def import_impls():
    import importlib

    return [(label, importlib.import_module(name)) for label, name in IMPLS]


def start_a_thread():
    """Starts and joins one thread before anything is measured.

    On 3.13t the first extra thread state makes CPython immortalize every
    object that uses deferred reference counting (gh-117783); later such
    objects are born immortal. Any program that uses threads is in that
    state, so every measurement here is taken in it, single-threaded ones
    included.
    """
    t = threading.Thread(target=lambda: None)
    t.start()
    t.join()


def header(impls):
    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    print(f"interpreter: {sys.executable}")
    print(f"  CPython {platform.python_version()} "
          f"({'free-threaded' if not gil else 'GIL enabled'}; GIL "
          f"{'enabled' if gil else 'disabled'} after importing all three modules)")
    print(f"  machine: {os.cpu_count()} CPUs, {platform.machine()}, {platform.system()}")
    for label, m in impls:
        print(f"  {label:<8} {m.__name__:<13} {os.path.basename(m.__file__)}")
    if gil:
        print("WARNING: the GIL is enabled: a module asked for it, or this is not a "
              "free-threaded build; the thread numbers below mean little")


def shared_objects(impls):
    """Whether the objects every calling thread touches are immortal.

    A function, type or method descriptor that is reference-counted takes an
    atomic increment and decrement on its shared refcount whenever a thread
    other than its owner loads it: threads calling the same function then
    contend on one cache line. Immortal objects skip refcounting entirely.
    (Reported by sys.getrefcount: 2**32 - 1 on 3.13t means immortal.)
    """
    def objects(m):
        return {
            "noop": m.noop,
            "Point type": m.Point,
            "Point.norm": m.Point.__dict__["norm"],
            "Point.x": m.Point.__dict__["x"],
            "Counter.incr": m.Counter.__dict__["incr"],
        }

    return {name: {k: sys.getrefcount(v) >= 2**31 for k, v in objects(m).items()}
            for name, m in impls}


def print_shared_objects(table):
    names = [label for label, _ in IMPLS]
    keys = list(next(iter(table.values())))
    print(f"{'object':<16}" + "".join(f"{n:>10}" for n in names))
    for k in keys:
        print(f"{k:<16}" + "".join(f"{'immortal' if table[n][k] else 'counted':>10}"
                                    for n in names))


def ratio(a, b):
    return a / b if b else float("nan")


def geomean(values):
    values = [v for v in values if v > 0 and math.isfinite(v)]
    return math.exp(sum(math.log(v) for v in values) / len(values)) if values else float("nan")


# --------------------------------------------------------------- timing ---


def ns_per_call(impls, repeats, batch_s):
    """{workload: {impl: best ns per call}}, impls interleaved per repeat."""
    results = {}
    for label, setup, stmt in WORKLOADS:
        timers = {name: timeit.Timer(stmt, setup, globals={"m": m}) for name, m in impls}
        numbers = {}
        for name, timer in timers.items():
            number = 1
            while True:
                elapsed = timer.timeit(number)
                if elapsed >= batch_s / 4:
                    break
                number *= 4
            numbers[name] = max(1, int(number * batch_s / elapsed))
        best = {name: math.inf for name in timers}
        for _ in range(repeats):
            for name, timer in timers.items():
                t = timer.timeit(numbers[name]) / numbers[name]
                best[name] = min(best[name], t * 1e9)
        results[label] = best
    return results


def print_ns_table(results):
    names = [label for label, _ in IMPLS]
    print(f"{'workload':<24}" + "".join(f"{n + ' ns':>12}" for n in names)
          + f"{'ft/PyO3':>10}{'ft/C':>8}")
    for label, row in results.items():
        ft, p3, c = (row[n] for n in names)
        print(f"{label:<24}{ft:>12.1f}{p3:>12.1f}{c:>12.1f}"
              f"{ratio(ft, p3):>10.2f}{ratio(ft, c):>8.2f}")
    gm_p3 = geomean(ratio(r["pyo3-ft"], r["PyO3"]) for r in results.values())
    gm_c = geomean(ratio(r["pyo3-ft"], r["C"]) for r in results.values())
    print(f"{'geometric mean':<24}{'':>36}{gm_p3:>10.2f}{gm_c:>8.2f}")


def loop_noop(m, n, barrier, spans, index):
    f = m.noop
    barrier.wait()
    start, cpu = perf_counter(), thread_time()
    for _ in itertools.repeat(None, n):
        f()
    spans[index] = (start, perf_counter(), thread_time() - cpu)


def loop_norm(m, n, barrier, spans, index):
    p = m.Point(3.0, 4.0)
    barrier.wait()
    start, cpu = perf_counter(), thread_time()
    for _ in itertools.repeat(None, n):
        p.norm()
    spans[index] = (start, perf_counter(), thread_time() - cpu)


def loop_new(m, n, barrier, spans, index):
    P = m.Point
    barrier.wait()
    start, cpu = perf_counter(), thread_time()
    for _ in itertools.repeat(None, n):
        P(1.0, 2.0)
    spans[index] = (start, perf_counter(), thread_time() - cpu)


SCALING_LOOPS = [
    ("noop() loop", "one module function, called by every thread", loop_noop),
    ("Point.norm() loop", "a Point per thread, one method shared", loop_norm),
    ("Point() loop", "new instances of one type (each holds a reference to the type)",
     loop_new),
]


def run_threads(fn, m, n, threads):
    """`threads` threads each run `fn(m, n)`, released together by a barrier.

    Returns (wall seconds, CPU seconds of all threads, overlap). Each worker
    takes its own times: wall time runs from the first start to the last
    end (timing from the main thread would count the moments the main
    thread waits for a CPU after the release, which on a 2-CPU machine with
    2 busy workers makes multi-thread runs look faster than they are).
    `overlap` is the share of the wall time during which all threads ran.
    """
    barrier = threading.Barrier(threads)
    spans = [None] * threads
    workers = [threading.Thread(target=fn, args=(m, n, barrier, spans, i))
               for i in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    wall = max(s[1] for s in spans) - min(s[0] for s in spans)
    together = min(s[1] for s in spans) - max(s[0] for s in spans)
    return wall, sum(s[2] for s in spans), max(0.0, together) / wall if wall > 0 else 0.0


def scaling(impls, repeats, batch_s, max_threads=2):
    """{loop: {impl: {threads: {"rate": best calls/s, "cpu_ns": best CPU ns
    per call among runs whose threads overlapped by at least half}}}}."""
    results = {}
    for label, _, fn in SCALING_LOOPS:
        per_impl = {}
        sizes = {}
        for name, m in impls:
            n = 1000
            while (elapsed := run_threads(fn, m, n, 1)[0]) < batch_s / 4:
                n *= 4
            sizes[name] = max(1000, int(n * batch_s / elapsed))
            per_impl[name] = {t: {"rate": 0.0, "cpu_ns": math.inf}
                              for t in range(1, max_threads + 1)}
        for _ in range(repeats):
            for threads in range(1, max_threads + 1):
                for name, m in impls:
                    n = sizes[name]
                    wall, cpu, overlap = run_threads(fn, m, n, threads)
                    best = per_impl[name][threads]
                    best["rate"] = max(best["rate"], threads * n / wall)
                    if threads == 1 or overlap >= 0.5:
                        best["cpu_ns"] = min(best["cpu_ns"], cpu * 1e9 / (threads * n))
        results[label] = per_impl
    return results


def wall_scaling(per_thread, threads):
    return ratio(per_thread[threads]["rate"], per_thread[1]["rate"])


def cpu_scaling(per_thread, threads):
    """The scaling the threads would show with a CPU each: `threads` times
    the 1-thread CPU time per call over the `threads`-thread one (contention
    on shared cache lines makes each call cost more CPU time)."""
    return threads * ratio(per_thread[1]["cpu_ns"], per_thread[threads]["cpu_ns"])


def print_scaling(results):
    names = [label for label, _ in IMPLS]
    print(f"{'loop':<20}{'threads':>8}" + "".join(f"{n + ' calls/s':>18}" for n in names))
    for label, per_impl in results.items():
        counts = sorted(next(iter(per_impl.values())))
        for t in counts:
            print(f"{label if t == counts[0] else '':<20}{t:>8}"
                  + "".join(f"{per_impl[n][t]['rate']:>18,.0f}" for n in names))
        last = counts[-1]
        print(f"{'':<8}{'scaling (wall clock)':>20}"
              + "".join(f"{wall_scaling(per_impl[n], last):>17.2f}x" for n in names))
        print(f"{'':<8}{'scaling (CPU time)':>20}"
              + "".join(f"{cpu_scaling(per_impl[n], last):>17.2f}x"
                        if math.isfinite(per_impl[n][last]["cpu_ns"]) else f"{'n/a':>18}"
                        for n in names))
    for label, description, _ in SCALING_LOOPS:
        print(f"  {label}: {description}")
    print("  scaling (CPU time): threads x CPU ns per call on 1 thread / on N threads, from"
          " runs whose\n  threads overlapped by half or more: what N idle CPUs would show;"
          " contention raises it above 1x")


def hammer(counter, n, barrier, outcome, index):
    errors = 0
    first = None
    barrier.wait()
    start = perf_counter()
    for _ in itertools.repeat(None, n):
        try:
            counter.incr()
        except Exception as e:  # PyO3 raises RuntimeError("Already borrowed")
            errors += 1
            if first is None:
                first = f"{type(e).__name__}: {e}"
    outcome[index] = (errors, first, start, perf_counter())


def contention(impls, n, threads=2):
    """Each implementation's Counter, hammered by `threads` threads at once.

    `overlap` is the share of the run during which all threads were running
    (1.0: they ran side by side the whole time): a busy machine that runs
    them one after the other would show no contention at all.
    """
    results = {}
    for name, m in impls:
        counter = m.Counter()
        outcome = [None] * threads
        barrier = threading.Barrier(threads)
        workers = [threading.Thread(target=hammer, args=(counter, n, barrier, outcome, i))
                   for i in range(threads)]
        for w in workers:
            w.start()
        for w in workers:
            w.join()
        first_start = min(o[2] for o in outcome)
        last_end = max(o[3] for o in outcome)
        together = min(o[3] for o in outcome) - max(o[2] for o in outcome)
        elapsed = last_end - first_start
        errors = sum(o[0] for o in outcome)
        first = next((o[1] for o in outcome if o[1]), None)
        final = counter.value
        results[name] = {
            "seconds": elapsed,
            "calls": threads * n,
            "final": final,
            "exceptions": errors,
            "lost_updates": threads * n - errors - final,
            "overlap": max(0.0, together) / elapsed if elapsed > 0 else 0.0,
            "first_exception": first,
        }
    return results


def print_contention(results, n, threads=2):
    print(f"{threads} threads x {n:,} Counter.incr() on ONE Counter each "
          f"(pyo3-ft: #[pyclass(mutable)]; PyO3: &mut self; C: PyMutex)")
    print(f"{'impl':<10}{'time ms':>10}{'ns/incr':>10}{'overlap':>9}{'final count':>14}"
          f"{'exceptions':>12}{'lost':>8}  first exception")
    for name, r in results.items():
        print(f"{name:<10}{r['seconds'] * 1e3:>10.1f}{r['seconds'] * 1e9 / r['calls']:>10.1f}"
              f"{r['overlap']:>9.0%}{r['final']:>14,}{r['exceptions']:>12,}"
              f"{r['lost_updates']:>8,}  {r['first_exception'] or '-'}")
    print("  overlap: share of the run during which both threads were running")


def cmd_timing(args):
    impls = import_impls()
    start_a_thread()
    header(impls)
    if args.quick:
        repeats, batch, scale_repeats, scale_batch, contention_n = 3, 0.005, 2, 0.04, 30_000
    else:
        repeats, batch, scale_repeats, scale_batch, contention_n = 7, 0.02, 11, 0.05, 500_000

    print("\n== objects every calling thread shares: immortal, or reference-counted "
          "(contended by threads)? ==")
    shared = shared_objects(impls)
    print_shared_objects(shared)

    print(f"\n== ns per call (best of {repeats} timeit repeats of ~{batch * 1e3:.0f} ms; "
          f"lower is better; ratios < 1 mean pyo3-ft is faster) ==")
    ns = ns_per_call(impls, repeats, batch)
    print_ns_table(ns)

    print(f"\n== thread scaling: calls/s of a loop, 1 vs 2 threads "
          f"(best of {scale_repeats}; ideal scaling is 2.00x) ==")
    scale = scaling(impls, scale_repeats, scale_batch)
    print_scaling(scale)

    print("\n== contention ==")
    cont = contention(impls, contention_n)
    print_contention(cont, contention_n)

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"ns_per_call": ns,
                       "scaling": {k: {i: {str(t): r for t, r in v.items()}
                                       for i, v in per.items()}
                                   for k, per in scale.items()},
                       "contention": cont,
                       "shared_objects": shared,
                       "cpus": os.cpu_count()}, f, indent=1)
    if args.tsv:
        with open(args.tsv, "w") as f:
            for label, per_impl in scale.items():
                for name, rates in per_impl.items():
                    for t, r in rates.items():
                        f.write(f"{label}\t{name}\t{t}\t{r['rate']:.0f}\n")


# ------------------------------------------------------------ callgrind ---

HOT = """\
def hot(m, n):
    {setup}
    for _ in repeat(None, n):
        {stmt}
"""


def cmd_callgrind_worker(args):
    """Runs under callgrind: one eval() per (workload, impl), collected alone.

    callgrind collects only inside `builtin_eval` (--toggle-collect) and
    dumps a profile part after each eval returns (--dump-after), so each
    part holds exactly one hot loop of `n` iterations plus its one-off setup.
    The last parts are ours, in the order printed on stdout.
    """
    impls = import_impls()
    start_a_thread()
    gc.disable()
    jobs = [("loop", "pass", "pass")] + WORKLOADS
    order = []
    for label, setup, stmt in jobs:
        n = args.n // CALLGRIND_DIVISOR.get(label, 1)
        for name, m in impls:
            ns = {"repeat": itertools.repeat}
            exec(HOT.format(setup=setup, stmt=stmt), ns)
            ns["hot"](m, 200)  # warm: fill caches, run the first-call paths
            ns.update(m=m, n=n)
            eval("hot(m, n)", ns)
            order.append([label, name, n])
    print(json.dumps(order))


def callgrind_total(path):
    with open(path) as f:
        for line in f:
            if line.startswith("totals:") or line.startswith("summary:"):
                return int(line.split()[1])
    raise RuntimeError(f"no totals in {path}")


ANNOTATE_LINE = re.compile(r"^\s*([\d,]+)\s+\(\s*[\d.]+%\)\s+(.*)$")


def top_entries(path, n_calls, count):
    """The top `count` self-cost functions of a profile part, in Ir per call.

    callgrind_annotate splits a function's cost by the source file of the
    inlined code; this sums it back per function. Entries that carry the
    whole part's total are the callers active when collection was toggled
    on (an artifact of --toggle-collect), not self cost: they are dropped.
    """
    out = subprocess.run(["callgrind_annotate", "--inclusive=no", "--threshold=100",
                          "--auto=no", path],
                         capture_output=True, text=True, check=True).stdout
    total = callgrind_total(path)
    per_function = {}
    objects = {}
    # Only the function list: it follows the "file:function" header line.
    lines = out.splitlines()
    start = next((i for i, line in enumerate(lines) if line.rstrip().endswith("file:function")),
                 len(lines))
    for line in lines[start + 2:]:
        m = ANNOTATE_LINE.match(line)
        if not m:
            break
        ir = int(m.group(1).replace(",", ""))
        where = m.group(2)
        obj = None
        if where.endswith("]") and " [" in where:
            where, obj = where[:-1].rsplit(" [", 1)
        func = where.split(":", 1)[1] if ":" in where else where
        if obj:
            objects[func] = os.path.basename(obj)
        if ir >= total * 0.999:
            continue
        per_function[func] = per_function.get(func, 0) + ir
    rows = sorted(per_function.items(), key=lambda kv: -kv[1])[:count]
    return [(ir / n_calls, func, objects.get(func, "?")) for func, ir in rows]


def cmd_callgrind(args):
    if shutil.which("valgrind") is None:
        print("valgrind is not installed: skipping the instruction counts "
              "(apt-get install valgrind)")
        return
    out_dir = args.out_dir or tempfile.mkdtemp(prefix="ftbench-callgrind-")
    os.makedirs(out_dir, exist_ok=True)
    for old in os.listdir(out_dir):
        if old.startswith("cg.out"):
            os.remove(os.path.join(out_dir, old))
    n = args.n
    base = os.path.join(out_dir, "cg.out")
    cmd = ["valgrind", "--tool=callgrind", "--collect-atstart=no",
           "--toggle-collect=builtin_eval", "--dump-after=builtin_eval",
           f"--callgrind-out-file={base}",
           sys.executable, os.path.abspath(__file__), "callgrind-worker", "--n", str(n)]
    env = dict(os.environ, PYTHONHASHSEED="0")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        sys.stderr.write(proc.stderr[-4000:])
        raise SystemExit(f"callgrind run failed ({proc.returncode})")
    order = json.loads(proc.stdout.strip().splitlines()[-1])
    parts = sorted((f for f in os.listdir(out_dir) if re.fullmatch(r"cg\.out\.\d+", f)),
                   key=lambda f: int(f.rsplit(".", 1)[1]))
    parts = parts[-len(order):]
    totals = {}
    files = {}
    calls = {}
    for (label, name, count), part in zip(order, parts):
        path = os.path.join(out_dir, part)
        totals[(label, name)] = callgrind_total(path)
        files[(label, name)] = path
        calls[label] = count

    names = [label for label, _ in IMPLS]
    # Each part: the loop's n iterations + its one-off setup and eval; the
    # `pass` loop's cost per iteration is subtracted from every workload's.
    loop = {name: totals[("loop", name)] / calls["loop"] for name in names}
    per_call = {}
    for label, _, _ in WORKLOADS:
        per_call[label] = {name: totals[(label, name)] / calls[label] - loop[name]
                           for name in names}
    print(f"instructions per call (Ir), {n:,} calls each (sum_list: "
          f"{n // CALLGRIND_DIVISOR['sum_list(1000 ints)']:,}), the loop's own "
          f"~{loop['C']:.0f} Ir per iteration subtracted; repeatable to ~1 Ir")
    print(f"{'workload':<24}" + "".join(f"{n_ + ' Ir':>12}" for n_ in names)
          + f"{'ft/PyO3':>10}{'ft/C':>8}")
    for label, row in per_call.items():
        ft, p3, c = (row[x] for x in names)
        mark = " " if label in CALLGRIND_REQUIRED else "+"
        print(f"{mark}{label:<23}{ft:>12.1f}{p3:>12.1f}{c:>12.1f}"
              f"{ratio(ft, p3):>10.2f}{ratio(ft, c):>8.2f}")
    print("  (+: beyond the four workloads issue 5 asks for)")
    print(f"(profiles: {out_dir}/cg.out.N; open with callgrind_annotate or kcachegrind)")

    worst = sorted(per_call, key=lambda w: -ratio(per_call[w]["pyo3-ft"], per_call[w]["C"]))
    for label in worst[: args.profiles]:
        print(f"\n-- {label}: pyo3-ft {per_call[label]['pyo3-ft']:.0f} Ir vs "
              f"C {per_call[label]['C']:.0f} Ir per call; top self-cost functions, "
              f"Ir per call (these include the loop's ~{loop['C']:.0f} Ir) --")
        for name in ("pyo3-ft", "C"):
            print(f"   {name}:")
            for ir, func, obj in top_entries(files[(label, name)], calls[label], args.top):
                if len(func) > 100:
                    func = func[:97] + "..."
                print(f"   {ir:>9.1f}  {func}  [{obj}]")

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"instructions_per_call": per_call, "loop": loop,
                       "calls": n, "dir": out_dir}, f, indent=1)


# -------------------------------------------------------------- summary ---


def fmt_x(value):
    return f"{value:.2f}x" if math.isfinite(value) and value > 0 else "n/a"


def cmd_summary(args):
    def load(path):
        if path and os.path.exists(path):
            with open(path) as f:
                return json.load(f)
        return None

    timing, cg, embed = load(args.timing), load(args.callgrind), load(args.embed)
    rows = []

    def target(text, ok, detail):
        rows.append((text, ok, detail))

    if timing:
        ns = timing["ns_per_call"]
        over_p3 = [(w, ratio(r["pyo3-ft"], r["PyO3"])) for w, r in ns.items()
                   if r["pyo3-ft"] > r["PyO3"]]
        target("every workload at or below PyO3's time", not over_p3,
               "slower: " + ", ".join(f"{w} {x:.2f}x" for w, x in over_p3) if over_p3
               else "all ft/PyO3 <= 1.00")
        gm = geomean(ratio(r["pyo3-ft"], r["PyO3"]) for r in ns.values())
        target("geometric mean <= 0.8x PyO3", gm <= 0.8, f"{gm:.2f}x")
        over_c = [(w, ratio(r["pyo3-ft"], r["C"])) for w, r in ns.items()
                  if ratio(r["pyo3-ft"], r["C"]) > 1.3]
        target("every workload <= 1.3x the C extension", not over_c,
               "over: " + ", ".join(f"{w} {x:.2f}x" for w, x in over_c) if over_c
               else "max " + f"{max(ratio(r['pyo3-ft'], r['C']) for r in ns.values()):.2f}x")
        mt = ns.get("make_tuple(obj, 100)")
        if mt:
            speedup = ratio(mt["PyO3"], mt["pyo3-ft"])
            target("make_tuple >= 1.3x faster than PyO3", speedup >= 1.3,
                   f"{speedup:.2f}x faster")
        for loop, per_impl in timing["scaling"].items():
            per = {name: {int(t): r for t, r in v.items()} for name, v in per_impl.items()}
            w = {name: wall_scaling(v, 2) for name, v in per.items()}
            c = {name: cpu_scaling(v, 2) for name, v in per.items()}
            info = loop == "Point() loop"  # beyond the targets
            target(f"{'(info) ' if info else ''}2-thread scaling"
                   f"{'' if info else ' >= 1.85x'} ({loop})",
                   None if info else w["pyo3-ft"] >= 1.85,
                   f"pyo3-ft {w['pyo3-ft']:.2f}x (PyO3 {w['PyO3']:.2f}x, C {w['C']:.2f}x); "
                   f"CPU-time: {fmt_x(c['pyo3-ft'])} ({fmt_x(c['PyO3'])}, {fmt_x(c['C'])})")
        shared = timing.get("shared_objects", {}).get("pyo3-ft", {})
        counted = [k for k, immortal in shared.items() if not immortal]
        if shared:
            target("framework objects not refcount-contended", not counted,
                   "reference-counted: " + ", ".join(counted) if counted else
                   "functions, type, method and getter descriptors are immortal")
        ft = timing["contention"]["pyo3-ft"]
        target("contention: zero errors, zero lost updates",
               ft["exceptions"] == 0 and ft["lost_updates"] == 0,
               f"pyo3-ft {ft['exceptions']} exceptions, {ft['lost_updates']} lost; "
               f"PyO3 {timing['contention']['PyO3']['exceptions']:,} exceptions")
    if embed:
        r = embed["attach_ns"]["pyo3-ft"] / embed["attach_ns"]["PyO3"]
        target("warm attach+detach <= 1/5 of PyO3's", r <= 0.2,
               f"{embed['attach_ns']['pyo3-ft']:.0f} ns vs "
               f"{embed['attach_ns']['PyO3']:.0f} ns ({r:.4f}x)")
    if cg:
        ipc = cg["instructions_per_call"]
        worst = max(ipc, key=lambda w: ratio(ipc[w]["pyo3-ft"], ipc[w]["C"]))
        target("(info) instructions per call vs C, worst workload", None,
               f"{worst}: {ipc[worst]['pyo3-ft']:.0f} vs {ipc[worst]['C']:.0f} Ir "
               f"({ratio(ipc[worst]['pyo3-ft'], ipc[worst]['C']):.2f}x)")

    print(f"{'target':<50} {'met?':<6} detail")
    for text, ok, detail in rows:
        mark = "-" if ok is None else ("yes" if ok else "NO")
        print(f"{text:<50} {mark:<6} {detail}")
    print("(wall-clock targets are judged on this one run; on a busy or 2-core machine "
          "the thread rows are noisy)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("timing", help="ns per call, thread scaling, contention")
    p.add_argument("--quick", action="store_true", help="short runs (smoke test)")
    p.add_argument("--json", help="write the results here")
    p.add_argument("--tsv", help="write the scaling rows here (for scaling-plot)")
    p = sub.add_parser("callgrind", help="instructions per call under callgrind")
    p.add_argument("--n", type=int, default=20_000, help="calls per workload")
    p.add_argument("--out-dir", help="where the callgrind profiles go")
    p.add_argument("--json", help="write the results here")
    p.add_argument("--profiles", type=int, default=3,
                   help="print the top entries of this many worst workloads")
    p.add_argument("--top", type=int, default=12, help="entries per profile")
    p = sub.add_parser("callgrind-worker", help=argparse.SUPPRESS)
    p.add_argument("--n", type=int, required=True)
    p = sub.add_parser("summary", help="which targets this run meets")
    p.add_argument("--timing")
    p.add_argument("--callgrind")
    p.add_argument("--embed")
    args = parser.parse_args()
    {"timing": cmd_timing, "callgrind": cmd_callgrind,
     "callgrind-worker": cmd_callgrind_worker, "summary": cmd_summary}[args.command](args)


if __name__ == "__main__":
    main()
