#!/usr/bin/env python3
"""Turns compare.sh's per-run TSV into bench/results/latest.md and a gnuplot script for latest.png.

Env REPORT_NAME (default latest; compare.sh sets quick for QUICK=1) names the files. For latest, unless
README_UPDATE=0, also puts the tables between the "latest:begin/end" markers of bench/README.md.

usage: report.py RUNS.tsv META.txt SCENARIOS.tsv NOTES.txt RESULTS_DIR   (called by compare.sh)
Every number in the tables is the median over the repeats that succeeded.
"""
import csv
import os
import statistics
import sys

runs_tsv, meta_txt, scen_tsv, notes_txt, out_dir = sys.argv[1:6]
name_ = os.environ.get("REPORT_NAME", "latest")   # "quick" for QUICK=1 runs, so they never replace latest.*

BROKERS = [("rabbitmq", "RabbitMQ"), ("garagemq", "GarageMQ"), ("ferrymq", "FerryMQ"), ("ferrymq-before", "FerryMQ before"),
           ("relay", "Relay (ceiling)")]
PHASES = ["1a", "1b", "2", "3a", "3b", "4", "5", "6", "7p", "7d"]

meta = {}
with open(meta_txt) as f:
    for line in f:
        if "=" in line:
            k, v = line.rstrip("\n").split("=", 1)
            meta[k] = v
active = meta.get("brokers", "").split()
brokers = [(b, n) for b, n in BROKERS if b in active]

labels, flags = {}, {}
with open(scen_tsv) as f:
    for line in f:
        ph, label, fl = line.rstrip("\n").split("\t")
        labels[ph], flags[ph] = label, fl

runs = list(csv.DictReader(open(runs_tsv), delimiter="\t"))
phases = [p for p in PHASES if any(r["scenario"] == p for r in runs)]
notes = [n.strip() for n in open(notes_txt) if n.strip()]


def group(b, ph):
    return [r for r in runs if r["broker"] == b and r["scenario"] == ph]


def ok(rs):
    return [r for r in rs if r["status"] == "ok"]


def med(values):
    values = [v for v in values if v is not None]
    return statistics.median(values) if values else None


def num(r, key):
    v = r.get(key, "")
    try:
        return float(v)
    except ValueError:
        return None


def metric_key(ph):
    return "send" if ph == "7p" else "recv"


def throughput(b, ph):
    return med([num(r, metric_key(ph)) for r in ok(group(b, ph))])


def failures(b, ph):
    rs = group(b, ph)
    bad = [r for r in rs if r["status"] != "ok"]
    return len(bad), len(rs), sorted({r["status"] for r in bad})


def capped(b, ph):
    return any("time limit" in r.get("stop_reason", "") for r in ok(group(b, ph))) and ph in ("7p", "7d")


def fmt_rate(v):
    return "—" if v is None else f"{v:,.0f}"


def cell_rate(b, ph):
    v = throughput(b, ph)
    nbad, n, kinds = failures(b, ph)
    if n == 0:
        return "—"
    if v is None:
        return "fail (" + ",".join(kinds) + ")"
    s = fmt_rate(v)
    if capped(b, ph):
        s += " †"
    if nbad:
        s += f" ({nbad}/{n} failed)"
    return s


def ratio(a, b):
    if a is None or b is None or b == 0:
        return "—"
    return f"{a / b:.2f}×"


def ms(us):
    if us is None:
        return "—"
    v = us / 1000.0
    return f"{v:.1f}" if v < 100 else f"{v:,.0f}"


def lat_cell(b, ph):
    rs = ok(group(b, ph))
    p50 = med([num(r, "p50_us") for r in rs])
    p99 = med([num(r, "p99_us") for r in rs])
    if p50 is None and p99 is None:
        return "—"
    return f"{ms(p50)} / {ms(p99)}"


def resources(b, phs):
    """Median over repeats of (peak RSS MiB, broker CPU s, PerfTest CPU s, other CPU s, wall s), phases summed."""
    reps = sorted({r["repeat"] for ph in phs for r in group(b, ph)})
    rss, bc, pc, oc, wall = [], [], [], [], []
    for rep in reps:
        rs = [r for ph in phs for r in group(b, ph) if r["repeat"] == rep]
        if not rs or any(r["status"] == "startfail" for r in rs):
            continue
        rss.append(max(num(r, "rss_kb") or 0 for r in rs) / 1024.0)
        bc.append(sum(num(r, "broker_cpu_s") or 0 for r in rs))
        pc.append(sum(num(r, "perf_cpu_s") or 0 for r in rs))
        oc.append(sum(num(r, "other_cpu_s") or 0 for r in rs))
        wall.append(sum(num(r, "wall_s") or 0 for r in rs))
    return med(rss), med(bc), med(pc), med(oc), med(wall)


rows_res = [(p, [p]) for p in phases if p not in ("7p", "7d")]
if "7p" in phases or "7d" in phases:
    rows_res.append(("7", [p for p in ("7p", "7d") if p in phases]))

ferry = "ferrymq" in active
rabbit = "rabbitmq" in active
garage = "garagemq" in active
relay = "relay" in active

out = []
w = out.append
w("# FerryMQ vs RabbitMQ vs GarageMQ — RabbitMQ PerfTest")
w("")
w(f"Run started {meta.get('run_started', '?')}, took {int(float(meta.get('elapsed_s', '0')) // 60)} min; "
  f"{meta.get('repeats')} repeat(s) of {meta.get('duration')} s per scenario, **median** reported; "
  f"deep queue {int(meta.get('deep_messages', '0')):,} messages (each phase capped at {meta.get('deep_timeout')} s). "
  f"Produced by `bench/compare.sh`.")
w("")
w(f"- Load generator: {meta.get('perftest', 'PerfTest')} on the same {meta.get('cpus', '?')}-core machine as the broker "
  f"({meta.get('java', '')}).")
if rabbit:
    w(f"- RabbitMQ {meta.get('rabbitmq', '?')} (Debian), Erlang {meta.get('erlang', '?')}, no plugins, default settings.")
if garage:
    w(f"- GarageMQ {meta.get('garagemq', '?')} (Debian), badger storage, stock config.")
if ferry:
    w(f"- {meta.get('ferrymq', 'FerryMQ')}.")
if "ferrymq-before" in active:
    w(f"- FerryMQ before: the same broker at an older {meta.get('ferrymq_before', '?')}, for a before/after pair.")
if relay:
    w("- Relay (ceiling): `bench/relay`, a Netty AMQP relay that forwards each publish straight to a consumer "
      "(no queue, routing, accounting or persistence; FerryMQ's JVM options); not run on the deep queue.")
w(f"- Machine load average before/after: {meta.get('load_before', '?')} / {meta.get('load_after', '?')}.")
w("")
w("## Throughput (msgs/s)")
w("")
w("Consumer receive rate (deliveries/s; for fan-out that is 10× the publish rate), except *publish*, which is the "
  "confirmed publish rate.")
w("")
head = "| scenario | " + " | ".join(n for _, n in brokers)
sep = "|---|" + "---:|" * len(brokers)
if ferry and rabbit:
    head += " | FerryMQ/RabbitMQ"; sep += "---:|"
if ferry and garage:
    head += " | FerryMQ/GarageMQ"; sep += "---:|"
if ferry and relay:
    head += " | FerryMQ/relay"; sep += "---:|"
w(head + " |")
w(sep)
for ph in phases:
    line = f"| {labels[ph]} | " + " | ".join(cell_rate(b, ph) for b, _ in brokers)
    if ferry and rabbit:
        line += " | " + ratio(throughput("ferrymq", ph), throughput("rabbitmq", ph))
    if ferry and garage:
        line += " | " + ratio(throughput("ferrymq", ph), throughput("garagemq", ph))
    if ferry and relay:
        line += " | " + ratio(throughput("ferrymq", ph), throughput("relay", ph))
    w(line + " |")
w("")
w("## Consumer latency, p50 / p99 (ms)")
w("")
w("| scenario | " + " | ".join(n for _, n in brokers) + " |")
w("|---|" + "---:|" * len(brokers))
for ph in phases:
    if ph in ("7p", "7d"):
        continue
    w(f"| {labels[ph]} | " + " | ".join(lat_cell(b, ph) for b, _ in brokers) + " |")
w("")
w("## Peak RSS of the broker and CPU time")
w("")
w("Peak RSS is the broker process's VmHWM (each run starts a fresh broker). CPU is user+system seconds "
  "over the run: broker + PerfTest (from /proc/PID/stat and /usr/bin/time); *other* is what the rest of the "
  "machine used meanwhile.")
w("")
w("| scenario | " + " | ".join(f"{n} RSS MiB" for _, n in brokers) + " | "
  + " | ".join(f"{n} CPU s broker + PerfTest (other)" for _, n in brokers) + " |")
w("|---|" + "---:|" * (2 * len(brokers)))
res = {}
for key, phs in rows_res:
    label = labels[key] if key in labels else f"7 deep queue, publish + drain {int(meta.get('deep_messages', '0')):,}"
    cells_rss, cells_cpu = [], []
    for b, _ in brokers:
        r = resources(b, phs)
        res[(b, key)] = r
        cells_rss.append("—" if r[0] is None else f"{r[0]:,.0f}")
        cells_cpu.append("—" if r[1] is None else f"{r[1]:.1f} + {r[2]:.1f} ({r[3]:.1f})")
    w(f"| {label} | " + " | ".join(cells_rss) + " | " + " | ".join(cells_cpu) + " |")
w("")


def cpu_per_million(b, ph):
    """Median over repeats of broker CPU seconds per million messages (received, or sent for 7p)."""
    per = []
    for r in ok(group(b, ph)):
        rate, cpu, wall = num(r, metric_key(ph)), num(r, "broker_cpu_s"), num(r, "wall_s")
        duration = float(meta.get("duration", "0") or 0) if ph not in ("7p", "7d") else wall
        if rate and cpu is not None and duration:
            per.append(cpu / (rate * duration / 1e6))
    return med(per)


w("## Broker CPU per million messages")
w("")
w("Broker CPU seconds (user+system) divided by the messages it moved (receive rate × run length; publish rate "
  "for the deep-queue publish): the CPU a message costs, start-up and JIT compilation during the run included.")
w("")
w("| scenario | " + " | ".join(n for _, n in brokers) + " |")
w("|---|" + "---:|" * len(brokers))
for ph in phases:
    w(f"| {labels[ph]} | " + " | ".join("—" if cpu_per_million(b, ph) is None else f"{cpu_per_million(b, ph):.1f}"
                                         for b, _ in brokers) + " |")
w("")

# Targets of issue 5, checked mechanically.
if ferry and rabbit:
    w("## Targets (issue 5)")
    w("")
    tgt = []
    for ph in [p for p in phases if p != "6"]:
        f_, r_ = throughput("ferrymq", ph), throughput("rabbitmq", ph)
        if f_ is not None and r_:
            tgt.append((f"throughput ≥ 2× RabbitMQ, {ph}", f_ / r_ >= 2, f"{f_ / r_:.2f}×"))
        if garage:
            g_ = throughput("garagemq", ph)
            if f_ is not None and g_:
                tgt.append((f"throughput ahead of GarageMQ, {ph}", f_ > g_, f"{f_ / g_:.2f}×"))
    if "6" in phases:
        fp = med([num(r, "p99_us") for r in ok(group("ferrymq", "6"))])
        rp = med([num(r, "p99_us") for r in ok(group("rabbitmq", "6"))])
        if fp is not None and rp is not None:
            tgt.append(("p99 latency ≤ RabbitMQ, 6", fp <= rp, f"{ms(fp)} vs {ms(rp)} ms"))
    for key, _ in rows_res:
        fr, rr = res.get(("ferrymq", key), (None,))[0], res.get(("rabbitmq", key), (None,))[0]
        if fr is not None and rr is not None:
            tgt.append((f"peak RSS below RabbitMQ, {key}", fr < rr, f"{fr:,.0f} vs {rr:,.0f} MiB"))
    met = sum(1 for _, m, _ in tgt if m)
    w(f"{met} of {len(tgt)} met. Missed: "
      + (", ".join(f"{t} ({v})" for t, m, v in tgt if not m) or "none") + ".")
    w("")

w("## Notes")
w("")
if any(capped(b, ph) for b, _ in brokers for ph in ("7p", "7d")):
    w(f"- † the deep-queue phase hit its {meta.get('deep_timeout')} s cap before {int(meta.get('deep_messages', '0')):,} "
      "messages: the rate is over the messages handled until then.")
other_share = []
for b, _ in brokers:
    for key, _ in rows_res:
        r = res.get((b, key))
        if r and r[3] is not None and r[4]:
            other_share.append(r[3] / (r[4] * int(meta.get("cpus", "2") or 2)))
if other_share:
    avg = sum(other_share) / len(other_share)
    mx = max(other_share)
    w(f"- Competing load: processes other than the broker and PerfTest used on average {avg:.0%} "
      f"(at worst {mx:.0%}) of the machine's CPU during the runs"
      + (" — other engineers' builds/tests were running, so absolute numbers are noisy." if mx > 0.1 else "."))
for n in notes:
    w(f"- {n}")
for b, name in brokers:
    for ph in phases:
        nbad, n, kinds = failures(b, ph)
        if nbad:
            w(f"- {name} {ph}: {nbad} of {n} runs failed ({', '.join(kinds)}); the end of their PerfTest output and "
              f"broker log is in `{name_}-failures.txt`.")
w("")
w("Scenario flags (PerfTest 2.22.1; `-z DURATION` added to each, `-h amqp://…:PORT` too; queue names are explicit "
  "because GarageMQ has no server-named queues):")
w("")
for ph in phases:
    w(f"- {ph}: `{flags[ph]}`")
w("")
w(f"![throughput and peak RSS]({name_}.png)")
w("")

md = "\n".join(out)
with open(os.path.join(out_dir, f"{name_}.md"), "w") as f:
    f.write(md)

readme = os.path.join(out_dir, os.pardir, "README.md")
if name_ == "latest" and os.environ.get("README_UPDATE", "1") != "0" and os.path.exists(readme):
    begin, end = "<!-- latest:begin (written by bench/compare.sh) -->", "<!-- latest:end -->"
    text = open(readme).read()
    if begin in text and end in text:
        body = md.split("\n", 1)[1].replace("## ", "### ").replace(f"]({name_}.png)", f"](results/{name_}.png)")
        head, rest = text.split(begin, 1)
        tail = rest.split(end, 1)[1]
        with open(readme, "w") as f:
            f.write(head + begin + "\n" + body.strip() + "\n" + end + tail)

# gnuplot: throughput (log scale) and peak RSS, clustered bars per scenario.
dat = os.path.join(out_dir, f"{name_}-chart.dat")
with open(dat, "w") as f:
    f.write("# scenario " + " ".join(n for _, n in brokers) + "\n")
    for ph in phases:
        vals = []
        for b, _ in brokers:
            v = throughput(b, ph)
            vals.append("?" if not v else f"{v:.0f}")
        f.write(f'"{ph}" ' + " ".join(vals) + "\n")
dat2 = os.path.join(out_dir, f"{name_}-rss.dat")
with open(dat2, "w") as f:
    f.write("# scenario " + " ".join(n for _, n in brokers) + "\n")
    for key, _ in rows_res:
        vals = []
        for b, _ in brokers:
            r = res.get((b, key), (None,))[0]
            vals.append("?" if not r else f"{r:.0f}")
        f.write(f'"{key}" ' + " ".join(vals) + "\n")
colors = {"rabbitmq": "#ff6600", "garagemq": "#4a90d9", "ferrymq": "#2ca02c", "relay": "#999999", "ferrymq-before": "#98df8a"}
plots = lambda path: ", ".join(  # noqa: E731
    f"'{path}' using {i + 2}:xtic(1) title '{n}' lc rgb '{colors[b]}'" for i, (b, n) in enumerate(brokers))
gp = f"""set terminal pngcairo size 1200,900 font 'sans,10'
set output '{os.path.join(out_dir, name_ + '.png')}'
set datafile missing '?'
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.9 border -1
set boxwidth 0.9
set key top right
set grid ytics
set multiplot layout 2,1 title 'RabbitMQ PerfTest on {meta.get('cpus', '2')} cores, median of {meta.get('repeats')} runs ({meta.get('run_started', '')})'
set title 'throughput (msgs/s, log scale; 4 = deliveries, 7p = publish, 7d = drain)'
set logscale y
set yrange [10:*]
set format y '%.0s%c'
plot {plots(dat)}
unset logscale y
set yrange [0:*]
set format y '%g'
set title 'broker peak RSS (MiB)'
plot {plots(dat2)}
unset multiplot
"""
with open(os.path.join(out_dir, f"{name_}.gp"), "w") as f:
    f.write(gp)
