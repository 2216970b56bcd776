#!/usr/bin/env python3
"""Print a ktl-vs-peers ratio table from a Google Benchmark JSON file.

Usage:
    python3 bench/report.py results.json            # plain-text tables
    python3 bench/report.py --markdown results.json # Markdown tables

The JSON comes from `<bench binary> --benchmark_out=results.json
--benchmark_out_format=json`.  Benchmarks are named `<group>/<impl>[/suffixes]`;
an `<impl>` starting with `ktl` is ours, anything else is a peer.  Within a
group, every entry is compared with the first `ktl*` entry (the baseline).

Main metric per group:
  * throughput groups (group name contains "throughput" and the entries carry
    `items_per_second`): millions of items per second, higher is better;
  * memory groups (some entry carries `rss_per_task_bytes`): bytes per task,
    lower is better;
  * all other groups: nanoseconds per operation, lower is better, taken from
    the `ns_per_op` counter when present, else from `real_time`.

The `ns_per_op` counter is meant to be built as
`benchmark::Counter(ops, kIsRate | kInvert)`, whose JSON value is in SECONDS
per op; it is scaled to ns.  A plain counter already in ns is recognised
(scaled by 1e9 it would exceed the time of a whole iteration) and used as is.

When benchmarks were run with repetitions, the `median` aggregate is used
(and the `cv` aggregate, if present, is shown as a +-% spread).  Repetitions
without aggregates: the repetition with the median real_time is used.

Python 3.11 standard library only.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from typing import Any

TIME_UNIT_TO_NS = {"ns": 1.0, "us": 1e3, "ms": 1e6, "s": 1e9}

# Section for benchmarks whose name has no '/' (not <group>/<impl>).
OTHER_GROUP = "other"
OTHER_NOTE = "not named <group>/<impl>: no comparison"

# Counters shown in the "details" column when present (label, key, kind).
DETAIL_COUNTERS = [
    ("p50", "p50_ns", "ns"),
    ("p99", "p99_ns", "ns"),
    ("mean", "mean_ns", "ns"),
]


@dataclass
class Entry:
    run_name: str
    group: str
    impl: str
    data: dict[str, Any]
    cv: dict[str, Any] | None = None  # the `cv` aggregate, if any
    error: str | None = None

    @property
    def is_ktl(self) -> bool:
        return self.impl.startswith("ktl")


@dataclass
class Metric:
    kind: str  # "time" | "throughput" | "memory"
    label: str
    unit: str
    higher_is_better: bool
    better_word: str
    worse_word: str


TIME = Metric("time", "ns/op", "ns", False, "faster", "slower")
THROUGHPUT = Metric("throughput", "M items/s", "M/s", True, "faster", "slower")
MEMORY = Metric("memory", "bytes/task", "B", False, "smaller", "larger")
OTHER_TIME = Metric("time", "ns/op or ns/iter", "ns", False, "faster", "slower")


@dataclass
class Group:
    name: str
    entries: list[Entry] = field(default_factory=list)


# ------------------------------------------------------------------ loading


def split_name(run_name: str) -> tuple[str, str]:
    parts = run_name.split("/")
    group = parts[0]
    impl = parts[1] if len(parts) > 1 else ""
    return group, impl


def load(path: str) -> tuple[dict[str, Any], list[Group]]:
    with open(path, encoding="utf-8") as fh:
        doc = json.load(fh)
    context = doc.get("context", {})
    raw = doc.get("benchmarks", [])

    order: list[str] = []  # run names in order of first appearance
    seen: set[str] = set()
    iterations: dict[str, list[dict[str, Any]]] = {}
    medians: dict[str, dict[str, Any]] = {}
    cvs: dict[str, dict[str, Any]] = {}

    for b in raw:
        run_name = b.get("run_name") or b.get("name", "")
        if run_name not in seen:
            seen.add(run_name)
            order.append(run_name)
        if b.get("run_type") == "aggregate":
            agg = b.get("aggregate_name", "")
            if agg == "median":
                medians[run_name] = b
            elif agg == "cv":
                cvs[run_name] = b
            # mean / stddev / custom aggregates are ignored
        else:
            iterations.setdefault(run_name, []).append(b)

    groups: dict[str, Group] = {}
    for run_name in order:
        if run_name in medians:
            data = medians[run_name]
        elif run_name in iterations:
            reps = [r for r in iterations[run_name] if not r.get("error_occurred")]
            if not reps:
                data = iterations[run_name][0]
            else:
                reps.sort(key=lambda r: float(r.get("real_time", 0.0)))
                data = reps[(len(reps) - 1) // 2]
        else:
            continue  # only non-median aggregates (e.g. mean only): nothing to show
        group, impl = split_name(run_name)
        err = data.get("error_message") if data.get("error_occurred") else None
        entry = Entry(run_name, group, impl, data, cvs.get(run_name), err)
        if "/" not in run_name:
            # Not in <group>/<impl> form (e.g. a plain BM_Foo): one shared
            # section, no ratios.
            group = OTHER_GROUP
        groups.setdefault(group, Group(group)).entries.append(entry)
    # The catch-all section goes last.
    ordered = [g for g in groups.values() if g.name != OTHER_GROUP]
    ordered += [g for g in groups.values() if g.name == OTHER_GROUP]
    return context, ordered


# ------------------------------------------------------------------ metrics


def real_time_ns(d: dict[str, Any]) -> float | None:
    rt = d.get("real_time")
    if isinstance(rt, (int, float)):
        return float(rt) * TIME_UNIT_TO_NS.get(d.get("time_unit", "ns"), 1.0)
    return None


def ns_per_op(d: dict[str, Any]) -> float | None:
    """Wall ns per op: the `ns_per_op` counter, else real_time per iteration.

    The counter is normally an inverted rate, i.e. SECONDS per op.  A plain
    counter holding ns is accepted too: an iteration holds at least one op,
    so seconds*1e9 can never exceed the time of one iteration by much, while
    a value already in ns scaled by 1e9 always would.
    """
    v = d.get("ns_per_op")
    rt = real_time_ns(d)
    if isinstance(v, (int, float)) and v > 0:
        if rt is not None and rt > 0:
            return v * 1e9 if v * 1e9 <= rt * 1.5 else float(v)
        return v * 1e9 if v < 1e-2 else float(v)
    return rt


def group_metric(g: Group) -> Metric:
    datas = [e.data for e in g.entries if e.error is None]
    if any("rss_per_task_bytes" in d for d in datas):
        return MEMORY
    if "throughput" in g.name and any("items_per_second" in d for d in datas):
        return THROUGHPUT
    return TIME


def metric_value(e: Entry, m: Metric) -> float | None:
    if e.error is not None:
        return None
    d = e.data
    if m.kind == "throughput":
        v = d.get("items_per_second")
        return float(v) / 1e6 if isinstance(v, (int, float)) and v > 0 else None
    if m.kind == "memory":
        v = d.get("rss_per_task_bytes")
        return float(v) if isinstance(v, (int, float)) else None
    return ns_per_op(d)


def cv_percent(e: Entry, m: Metric) -> float | None:
    """Coefficient of variation (%) of the main metric, from the cv aggregate."""
    if e.cv is None:
        return None
    key = {"throughput": "items_per_second", "memory": "rss_per_task_bytes"}.get(m.kind)
    if key is None:
        key = "ns_per_op" if "ns_per_op" in e.cv else "real_time"
    v = e.cv.get(key)
    if not isinstance(v, (int, float)):
        return None
    # Google Benchmark stores cv as a fraction (time columns) or fraction too
    # for counters; print as a percentage.
    return float(v) * 100.0


def fmt_num(v: float | None) -> str:
    if v is None:
        return "n/a"
    a = abs(v)
    if a >= 1e6:
        return f"{v:,.0f}"
    if a >= 100:
        return f"{v:,.0f}"
    if a >= 10:
        return f"{v:.1f}"
    if a >= 1:
        return f"{v:.2f}"
    return f"{v:.3g}"


def fmt_ns(v: float) -> str:
    if v >= 1e6:
        return f"{v / 1e6:.2f} ms"
    if v >= 1e4:
        return f"{v / 1e3:.1f} us"
    return f"{fmt_num(v)} ns"


def fmt_ratio(r: float) -> str:
    if r >= 100:
        return f"{r:.0f}x"
    if r >= 10:
        return f"{r:.1f}x"
    return f"{r:.2f}x"


def compare(value: float | None, base: float | None, m: Metric, subject: str) -> str:
    """Sentence saying how `subject` (ktl baseline) compares with `value`."""
    if value is None or base is None or value <= 0 or base <= 0:
        return "n/a"
    # r > 1 means the baseline is better.
    r = base / value if m.higher_is_better else value / base
    if abs(r - 1.0) < 0.005:
        return f"{subject} is on par"
    if r >= 1.0:
        return f"{subject} is {fmt_ratio(r)} {m.better_word}"
    return f"{subject} is {fmt_ratio(1.0 / r)} {m.worse_word}"


def details(e: Entry, m: Metric) -> str:
    if e.error is not None:
        return ""
    d = e.data
    out = []
    if m.kind != "time":
        ns = ns_per_op(d)
        if ns is not None:
            out.append(f"{fmt_ns(ns)}/op")
    elif e.group == OTHER_GROUP or "/" not in e.run_name:
        ips = d.get("items_per_second")
        if isinstance(ips, (int, float)) and ips > 0:
            out.append(f"{ips / 1e6:.3g} M items/s")
    for label, key, _ in DETAIL_COUNTERS:
        v = d.get(key)
        if isinstance(v, (int, float)):
            out.append(f"{label} {fmt_ns(float(v))}")
    cv = cv_percent(e, m)
    if cv is not None:
        out.append(f"cv {cv:.1f}%")
    return ", ".join(out)


# ------------------------------------------------------------------ rendering


def build_rows(g: Group) -> tuple[Metric, list[list[str]], str | None]:
    m = group_metric(g)
    if g.name == OTHER_GROUP:
        m = OTHER_TIME  # ns_per_op if set, else real_time per iteration; no comparison
        ktl, peers = [], list(g.entries)
    else:
        ktl = [e for e in g.entries if e.is_ktl]
        peers = [e for e in g.entries if not e.is_ktl]
    # Baseline: the first ktl entry that ran and has the group's metric.
    base = next((e for e in ktl if metric_value(e, m) is not None), None)
    base_val = metric_value(base, m) if base is not None else None
    rows: list[list[str]] = []
    for e in ktl + peers:
        val = metric_value(e, m)
        if e.error is not None:
            vs = f"ERROR: {e.error}"
        elif base is None:
            vs = ""
        elif e is base:
            vs = "(baseline)"
        elif e.is_ktl:
            vs = compare(val, base_val, m, "baseline")
        else:
            vs = compare(val, base_val, m, "ktl")
        rows.append([e.run_name, fmt_num(val), vs, details(e, m)])
    if g.name == OTHER_GROUP:
        note = OTHER_NOTE
    elif base is not None:
        note = None
    elif ktl:
        note = "ktl entry failed or lacks the metric: no ratios"
    else:
        note = "no ktl entry yet"
    return m, rows, note


def context_lines(ctx: dict[str, Any]) -> list[str]:
    lines = []
    bits = []
    for key in ("host_name", "date"):
        if ctx.get(key):
            bits.append(str(ctx[key]))
    if ctx.get("num_cpus"):
        mhz = ctx.get("mhz_per_cpu")
        bits.append(f"{ctx['num_cpus']} CPUs" + (f" @ {mhz} MHz" if mhz else ""))
    if ctx.get("load_avg"):
        bits.append("load " + " ".join(f"{x:.2f}" for x in ctx["load_avg"]))
    if bits:
        lines.append(", ".join(bits))
    load = ctx.get("load_avg") or []
    ncpu = ctx.get("num_cpus") or 0
    if load and ncpu and float(load[0]) > 0.5 * ncpu:
        lines.append(
            f"WARNING: 1-min load {float(load[0]):.2f} on {ncpu} CPUs at start: the machine was busy, "
            "multi-threaded figures (xcpu_wake, spawn/std_thread, wq_*) are unreliable"
        )
    if ctx.get("library_build_type") == "debug":
        lines.append("note: Google Benchmark library was built as debug (harness overhead only)")
    return lines


def render_text(ctx: dict[str, Any], groups: list[Group]) -> str:
    out: list[str] = []
    for line in context_lines(ctx):
        out.append(line)
    for g in groups:
        m, rows, note = build_rows(g)
        header = ["benchmark", m.label, "vs ktl", "details"]
        widths = [max(len(header[i]), *(len(r[i]) for r in rows)) for i in range(4)]
        out.append("")
        title = f"== {g.name} ({m.label}, {'higher' if m.higher_is_better else 'lower'} is better)"
        if note:
            title += f" -- {note}"
        out.append(title)

        def line(cells: list[str]) -> str:
            return "  ".join(
                [
                    cells[0].ljust(widths[0]),
                    cells[1].rjust(widths[1]),
                    cells[2].ljust(widths[2]),
                    cells[3],
                ]
            ).rstrip()

        out.append(line(header))
        out.append(line(["-" * w for w in widths]))
        for r in rows:
            out.append(line(r))
    return "\n".join(out) + "\n"


def md_escape(s: str) -> str:
    return s.replace("|", "\\|")


def render_markdown(ctx: dict[str, Any], groups: list[Group]) -> str:
    out: list[str] = ["# ktl vs peers", ""]
    for line in context_lines(ctx):
        out.append(f"_{md_escape(line)}_  ")
    for g in groups:
        m, rows, note = build_rows(g)
        out.append("")
        title = f"## {g.name} ({m.label}, {'higher' if m.higher_is_better else 'lower'} is better)"
        out.append(title)
        out.append("")
        if note:
            out.append(f"_{note}_")
            out.append("")
        out.append(f"| benchmark | {m.label} | vs ktl | details |")
        out.append("|---|---:|---|---|")
        for r in rows:
            out.append("| " + " | ".join(md_escape(c) if i else f"`{c}`" for i, c in enumerate(r)) + " |")
    return "\n".join(out) + "\n"


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="ktl vs peers ratio table from Google Benchmark JSON")
    ap.add_argument("json_file", help="output of --benchmark_out=FILE --benchmark_out_format=json")
    ap.add_argument("--markdown", action="store_true", help="print Markdown tables instead of plain text")
    args = ap.parse_args(argv)
    try:
        ctx, groups = load(args.json_file)
    except (OSError, json.JSONDecodeError) as exc:
        print(f"report.py: cannot read {args.json_file}: {exc}", file=sys.stderr)
        return 2
    if not groups:
        print("report.py: no benchmarks in file", file=sys.stderr)
        return 1
    text = render_markdown(ctx, groups) if args.markdown else render_text(ctx, groups)
    sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
