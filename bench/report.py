#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""report.py RESULTS.tsv [JSON]: the benchmark's table.

Reads the samples bench/guest.sh wrote (kernel, balancer, metric, sample,
value), prints per kernel one table of medians with their spread (min-max
as a percentage of the median) and the ratios against in-tree IPVS with
conntrack=1, then the issue's goals as met or missed; writes everything as
JSON when a second argument names a file.
"""
import json
import statistics
import sys

BASE = "ipvs-ct1"
ORDER = ["ipvs-ct0", "ipvs-ct1", "nfvs-ct0", "nfvs-ct1"]
LABELS = {
    "udp_route_pps": "routing only, UDP pkt/s, 64 flows",
    "udp_nat_pps": "UDP NAT pkt/s, 64 flows",
    "conn_nat": "TCP conn/s, NAT",
    "conn_dr": "TCP conn/s, DR",
    "udp_new_pps": "new UDP NAT flows/s (1 packet each)",
    "mem_per_conn": "memory bytes/conn at the largest size",
}


def load(path):
    data = {}
    with open(path) as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) != 5:
                continue
            kernel, lb, metric, _sample, value = parts
            try:
                v = float(value)
            except ValueError:
                continue
            data.setdefault(kernel, {}).setdefault(lb, {}).setdefault(
                metric, []).append(v)
    return data


def sizes_of(lbs):
    sizes = set()
    for metrics in lbs.values():
        for m in metrics:
            if m.startswith("scale_pps_"):
                sizes.add(int(m[len("scale_pps_"):]))
    return sorted(sizes)


def summarize(kernel_data):
    """balancer -> metric -> {median, min, max, n}; adds mem_per_conn."""
    out = {}
    sizes = sizes_of(kernel_data)
    for lb, metrics in kernel_data.items():
        s = {}
        for m, vals in metrics.items():
            s[m] = {"median": statistics.median(vals), "min": min(vals),
                    "max": max(vals), "n": len(vals)}
        if sizes:
            big = sizes[-1]
            conns = s.get("conns_%d" % big, {}).get("median", 0)
            mem = s.get("mem_kb_%d" % big, {}).get("median")
            if conns and mem is not None:
                per = mem * 1024 / conns
                s["mem_per_conn"] = {"median": per, "min": per, "max": per,
                                     "n": 1}
        out[lb] = s
    return out


def ratio(summary, lb, metric, base=BASE, base_metric=None):
    try:
        a = summary[lb][metric]["median"]
        b = summary[base][base_metric or metric]["median"]
    except KeyError:
        return None
    return a / b if b else None


def goals(summary):
    """The issue's goals: (text, value, target, met)."""
    sizes = sizes_of(summary)
    out = []

    def goal(text, value, target, higher=True):
        if value is None:
            out.append({"goal": text, "value": None, "target": target,
                        "met": None})
            return
        met = value >= target if higher else value <= target
        out.append({"goal": text, "value": round(value, 3),
                    "target": target, "met": met})

    goal("UDP NAT pkt/s, nfvs ct=1 / IPVS ct=1 >= 1.3",
         ratio(summary, "nfvs-ct1", "udp_nat_pps"), 1.3)
    goal("UDP NAT pkt/s, nfvs ct=1 / nfvs ct=0 >= 0.95",
         ratio(summary, "nfvs-ct1", "udp_nat_pps", "nfvs-ct0"), 0.95)
    goal("TCP conn/s NAT, nfvs ct=1 / IPVS ct=1 >= 1.2",
         ratio(summary, "nfvs-ct1", "conn_nat"), 1.2)
    goal("TCP conn/s DR, nfvs ct=1 / IPVS ct=1 >= 1.2",
         ratio(summary, "nfvs-ct1", "conn_dr"), 1.2)
    goal("new UDP flows/s, nfvs ct=1 / IPVS ct=1 >= 1.2",
         ratio(summary, "nfvs-ct1", "udp_new_pps"), 1.2)
    if len(sizes) >= 2:
        lo, hi = sizes[0], sizes[-1]
        for lb in ("nfvs-ct1", "nfvs-ct0"):
            goal("%s pkt/s at %d conns / at %d conns >= 0.9" % (lb, hi, lo),
                 ratio(summary, lb, "scale_pps_%d" % hi, lb,
                       "scale_pps_%d" % lo), 0.9)
    goal("memory per tracked conn, nfvs ct=1 / IPVS ct=1 <= 0.8",
         ratio(summary, "nfvs-ct1", "mem_per_conn"), 0.8, higher=False)
    return out


def fmt(v):
    if v >= 100:
        return "%.0f" % v
    return "%.2f" % v


def table(kernel, summary):
    lbs = [lb for lb in ORDER if lb in summary]
    lbs += sorted(lb for lb in summary if lb not in lbs and lb != "none")
    sizes = sizes_of(summary)
    rows = ["udp_nat_pps", "conn_nat", "conn_dr", "udp_new_pps"]
    rows += ["scale_pps_%d" % n for n in sizes] + ["mem_per_conn"]
    labels = dict(LABELS)
    for n in sizes:
        labels["scale_pps_%d" % n] = "UDP NAT pkt/s, %d conns" % n
    lines = ["kernel %s" % kernel]
    if "none" in summary and "udp_route_pps" in summary["none"]:
        r = summary["none"]["udp_route_pps"]
        lines.append("  %s: %s" % (labels["udp_route_pps"], fmt(r["median"])))
    head = "  %-36s" % "median (spread %)"
    head += "".join("%18s" % lb for lb in lbs)
    head += "".join("%16s" % ("%s/base" % lb) for lb in lbs if lb != BASE)
    lines.append(head)
    for m in rows:
        if not any(m in summary[lb] for lb in lbs):
            continue
        line = "  %-36s" % labels.get(m, m)
        for lb in lbs:
            s = summary[lb].get(m)
            if not s:
                line += "%18s" % "-"
                continue
            spread = (100 * (s["max"] - s["min"]) / s["median"]
                      if s["median"] else 0)
            line += "%18s" % ("%s (%.0f)" % (fmt(s["median"]), spread))
        for lb in lbs:
            if lb == BASE:
                continue
            r = ratio(summary, lb, m)
            line += "%16s" % ("%.2fx" % r if r is not None else "-")
        lines.append(line)
    lines.append("  (base: %s; conns at each size: %s)" % (BASE, ", ".join(
        "%s %s" % (lb, "/".join(fmt(summary[lb].get("conns_%d" % n, {})
                                    .get("median", 0)) for n in sizes))
        for lb in lbs)))
    for g in goals(summary):
        state = {True: "met", False: "MISSED", None: "not measured"}[g["met"]]
        lines.append("  goal: %-58s %8s  %s" % (
            g["goal"], "-" if g["value"] is None else "%.2f" % g["value"],
            state))
    return "\n".join(lines)


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 1
    data = load(sys.argv[1])
    report = {}
    for kernel in sorted(data):
        summary = summarize(data[kernel])
        print(table(kernel, summary))
        print()
        report[kernel] = {"summary": summary, "goals": goals(summary)}
    if len(sys.argv) > 2:
        with open(sys.argv[2], "w") as f:
            json.dump(report, f, indent=1, sort_keys=True)
    return 0 if data else 1


if __name__ == "__main__":
    sys.exit(main())
