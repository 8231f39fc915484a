"""Print the benchmarks' results as tables; with ``--json``, end with one JSON line.

Usage: ``python -m benchmarks.report RESULTS.json [RESULTS.json ...] [--json]``, each file
as the benchmarks write it (``{"bulk": [...], "update_cost": [...], "api": [...], ...}``);
``scripts/bench`` calls this. In the JSON line ``budget`` is one object, not a list.
"""

# ruff: noqa: T201 - printing the tables is this module's job

from __future__ import annotations

import argparse
from itertools import pairwise
import json
from pathlib import Path
from typing import Any

BULK_KEYS = ("n", "update_s", "makespan_s", "bound_s", "ratio")
UPDATE_COST_KEYS = ("update_s", "progress_reads", "calls_total", "end_seen_late_s")
API_KEYS = (
    "devices",
    "calls_per_device_day",
    "notice_delay_h",
    "restart_calls",
    "setup_wall_s",
    "setup_extra_mb",
    "max_stall_ms",
)
MONTH_KEYS = (
    "devices",
    "products",
    "calls_per_month",
    "notice_product_h",
    "notice_staged_h",
    "restart_calls",
)
BUDGET_KEYS = ("budget", "calls_per_month", "devices")
BULK_GOAL_RATIO = 1.10
# A longer update's goal, by its length in seconds (others: BULK_GOAL_RATIO).
BULK_GOAL_RATIOS = {1200.0: 1.25}
# One update's goals: progress reads by its length in seconds; its end seen at most
# LATE_GOAL_SHARE of the length plus LATE_GOAL_EXTRA_S late.
PROGRESS_READ_GOALS = {60.0: 16, 1200.0: 32, 3600.0: 40}
LATE_GOAL_SHARE = 0.2
LATE_GOAL_EXTRA_S = 10.0
# The month's goals: calls a month by home size (devices, products), hours to notice.
MONTH_CALL_GOALS = {(50, 12): 3000, (200, 30): 6000}
NOTICE_PRODUCT_GOAL_H = 12.0
NOTICE_STAGED_GOAL_H = 7 * 24.0
RESTART_GOAL = 3

# figure, goal text, check (row -> bool | None: None when the goal is not about this size)
API_FIGURES: tuple[tuple[str, str], ...] = (
    ("calls_per_device_day", "<= 3 at 200 devices"),
    ("notice_delay_h", "<= 12 h"),
    ("notice_worst_s", "(the same, in seconds)"),
    ("restart_calls", "<= 3"),
    ("setup_wall_s", "<= 3 s at 1,000"),
    ("setup_extra_mb", "<= 60 MB at 1,000"),
    ("max_stall_ms", "<= 100 ms (CPU of the loop thread)"),
    ("first_sweep_s", "(simulated) minutes"),
    ("restart_setup_wall_s", ""),
    ("update_all_call_ms", ""),
    ("stall_setup_ms", "(CPU ms of the loop thread)"),
    ("stall_bulk_ms", "(CPU ms of the loop thread)"),
    ("max_stall_wall_ms", "(wall ms: adds other processes' CPU)"),
    ("gc_pause_max_ms", "(apart from stalls)"),
    ("setup_rss_mb", ""),
    ("setup_retained_mb", ""),
    ("min_read_spacing_s", ">= 0.5 s"),
    ("bulk_wall_s", ""),
    ("wall_s", ""),
)


def api_goal_met(figure: str, row: dict[str, Any]) -> bool | None:
    """Whether the row meets the brief's goal for this figure (None: no goal at this size)."""
    value = row.get(figure)
    if not isinstance(value, int | float):
        return None
    size = row["devices"]
    checks: dict[str, tuple[bool, bool]] = {
        # figure: (applies to this size, met)
        "calls_per_device_day": (size == 200, value <= 3),
        "notice_delay_h": (True, value <= 12.0),
        "restart_calls": (True, value <= 3),
        "setup_wall_s": (size == 1000, value <= 3.0),
        "setup_extra_mb": (size == 1000, value <= 60.0),
        "max_stall_ms": (size == 1000, value <= 100.0),
    }
    applies, met = checks.get(figure, (False, True))
    return met if applies else None


def load(paths: list[Path]) -> dict[str, list[dict[str, Any]]]:
    """Merge the result files (later files win for a kind they both hold)."""
    merged: dict[str, list[dict[str, Any]]] = {}
    for path in paths:
        if path.exists() and path.stat().st_size:
            merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


_LONGER_GOALS = ", ".join(f"{g:g} at L = {length:g} s" for length, g in BULK_GOAL_RATIOS.items())
BULK_TITLES = {
    "bulk": [
        "bench bulk: one tuya_ota.update_all over n devices (every 10th a sub-device),",
        "  simulated update length L, max_parallel P = 3, bound = L * max(ceil(n/P), n_sub)",
        "  or the pilot bound below when larger (one device of each product first),",
        f"  goal ratio <= {BULK_GOAL_RATIO:g} ({_LONGER_GOALS})",
    ],
    "bulk_subs_last": [
        "  extra, not in the JSON: the same sub-devices last in the device list (queue order)"
    ],
    "bulk_odd_length": ["  extra, not in the JSON: an update length that is no multiple of 5 s"],
    "bulk_products": [
        "  100 devices of one product, and of a product each (products column): one device",
        "  of a product goes first, the rest once it succeeded and was read back online;",
        "  bound = max(the bound above, L + C + L * max(ceil((m - 1)/P), s - 1) per product",
        "  of m devices, s of them sub-devices; C = 60 s)",
    ],
}


def bulk_table(rows: list[dict[str, Any]], kind: str = "bulk") -> list[str]:
    """A bulk benchmark's table."""
    lines = [
        *BULK_TITLES[kind],
        f"  {'n':>5} {'subs':>5} {'prods':>5} {'L_s':>5} {'makespan_s':>11} {'bound_s':>9}"
        f" {'ratio':>7} {'goal':>5} {'calls (fw/start/progress)':>26} {'wall_s':>7}",
    ]
    for row in rows:
        calls = row.get("calls", {})
        call_text = f"{calls.get('firmware', 0)}/{calls.get('start', 0)}/{calls.get('progress', 0)}"
        goal_ratio = BULK_GOAL_RATIOS.get(float(row.get("update_s", 0)), BULK_GOAL_RATIO)
        goal = "ok" if row["ratio"] <= goal_ratio else "MISS"
        lines.append(
            f"  {row['n']:>5} {row.get('subs', ''):>5} {row.get('products', ''):>5}"
            f" {_fmt(row.get('update_s', '')):>5}"
            f" {_fmt(row['makespan_s']):>11}"
            f" {_fmt(row['bound_s']):>9} {row['ratio']:>7.4f} {goal:>5} {call_text:>26}"
            f" {_fmt(row.get('wall_s', '')):>7}"
        )
    return lines


def update_cost_table(rows: list[dict[str, Any]]) -> list[str]:
    """One device's update by its length: the calls it cost, how late its end was seen."""
    lines = [
        "bench bulk, update_cost: one device's update of L seconds (the cloud's timeout above L),",
        "  from the install call to its tuya_ota_update_finished event",
        f"  {'L_s':>5} {'progress_reads':>14} {'goal':>5} {'calls_total':>11}"
        f" {'end_seen_late_s':>15} {'goal_s':>6} {'result':>8} {'wall_s':>7}  calls by kind",
    ]
    for row in rows:
        length = float(row["update_s"])
        read_goal = PROGRESS_READ_GOALS.get(length)
        late_goal = LATE_GOAL_SHARE * length + LATE_GOAL_EXTRA_S
        met = (read_goal is None or row["progress_reads"] <= read_goal) and row[
            "end_seen_late_s"
        ] <= late_goal
        lines.append(
            f"  {_fmt(row['update_s']):>5} {row['progress_reads']:>14} {read_goal or '-':>5}"
            f" {row['calls_total']:>11} {_fmt(row['end_seen_late_s']):>15} {late_goal:>6g}"
            f" {row.get('result', ''):>8} {_fmt(row.get('wall_s', '')):>7}  {_calls_text(row)}"
            f"{'' if met else '  MISS'}"
        )
    lines.append(
        f"  goals: progress reads as the goal column; the end seen at most"
        f" {LATE_GOAL_SHARE:g} * L + {LATE_GOAL_EXTRA_S:g} s late"
    )
    return lines


def _calls_text(row: dict[str, Any]) -> str:
    return " ".join(f"{kind}={count}" for kind, count in sorted(row.get("calls", {}).items()))


def api_table(rows: list[dict[str, Any]]) -> list[str]:
    """The api benchmark's table: a figure per line, a size per column, then growth."""
    sizes = [row["devices"] for row in rows]
    head = "".join(f"{size:>12}" for size in sizes)
    growth_pairs = list(pairwise(rows))
    if len(rows) > 2:
        growth_pairs.append((rows[0], rows[-1]))
    labels = [f"{a['devices']}->{b['devices']}" for a, b in growth_pairs]
    growth_head = "".join(f"{label:>12}" for label in labels)
    lines = [
        "bench api: build_large home, the integration's default options",
        f"  {'figure':<22}{head}{growth_head}  goal",
    ]
    for figure, goal in API_FIGURES:
        if not any(figure in row for row in rows):
            continue
        cells = ""
        misses = []
        for row in rows:
            cells += f"{_fmt(row.get(figure, '-')):>12}"
            if api_goal_met(figure, row) is False:
                misses.append(str(row["devices"]))
        growth = ""
        for a, b in growth_pairs:
            first, last = a.get(figure), b.get(figure)
            if isinstance(first, int | float) and isinstance(last, int | float) and first:
                growth += f"{'x' + format(last / first, '.3g'):>12}"
            else:
                growth += f"{'-':>12}"
        verdict = f"  MISS at {', '.join(misses)}" if misses else ""
        lines.append(f"  {figure:<22}{cells}{growth}  {goal}{verdict}")
    lines.append(
        "  growth columns: the figure's ratio between sizes; at most linear means at most the"
    )
    lines.append(
        "  device ratio for totals and time/memory, flat or falling for per-device figures."
    )
    for row in rows:
        if row.get("slow_callbacks"):
            lines.append(
                f"  longest callbacks at {row['devices']} devices (CPU ms, wall ms, what):"
            )
            lines.extend(
                f"    {cpu:>8} {wall:>8}  {what}" for cpu, wall, what in row["slow_callbacks"][:5]
            )
    return lines


def month_table(rows: list[dict[str, Any]]) -> list[str]:
    """The month benchmark's table: a home per line."""
    lines = [
        "bench api, month: homes whose devices share products, 30 days, default options",
        f"  {'devices':>7} {'products':>8} {'groups':>6} {'calls/month':>11} {'goal':>6}"
        f" {'product_h':>9} {'staged_h':>8} {'restart':>7}  calls by kind",
    ]
    for row in rows:
        goal = MONTH_CALL_GOALS.get((row["devices"], row["products"]))
        met = (
            (goal is None or row["calls_per_month"] <= goal)
            and row["notice_product_h"] <= NOTICE_PRODUCT_GOAL_H
            and (row["notice_staged_h"] or 0) <= NOTICE_STAGED_GOAL_H
            and row["restart_calls"] <= RESTART_GOAL
        )
        lines.append(
            f"  {row['devices']:>7} {row['products']:>8} {row.get('groups', ''):>6}"
            f" {row['calls_per_month']:>11} {goal or '-':>6} {row['notice_product_h']:>9}"
            f" {row['notice_staged_h'] or '-':>8} {row['restart_calls']:>7}"
            f"  {row.get('month_calls', {})}{'' if met else '  MISS'}"
        )
    lines.append(
        f"  goals: new firmware for a product on every device of it <= {NOTICE_PRODUCT_GOAL_H:g} h,"
        f" a staged release <= {NOTICE_STAGED_GOAL_H:g} h, a restart <= {RESTART_GOAL} calls"
    )
    return lines


def budget_lines(rows: list[dict[str, Any]]) -> list[str]:
    """The budget month, one line per home."""
    lines = ["bench api, budget: a calendar month under a monthly call budget"]
    for row in rows:
        verdict = "ok" if row["highest"] <= row["budget"] else "PASSED THE BUDGET"
        lines.append(
            f"  {row['devices']} devices of {row['products']} products, budget {row['budget']}:"
            f" {row['calls_per_month']} calls (highest {row['highest']}, {verdict});"
            f" {row['installed']} devices updated mid-month for {row['install_calls']} calls,"
            f" {row['firmware_reads']} firmware reads"
        )
    return lines


def summary(results: dict[str, list[dict[str, Any]]]) -> dict[str, Any]:
    """The figures the brief asks for, per kind, in the brief's key order."""
    keys = {
        "bulk": BULK_KEYS,
        "update_cost": UPDATE_COST_KEYS,
        "api": API_KEYS,
        "month": MONTH_KEYS,
    }
    chosen: dict[str, Any] = {
        kind: [{key: row.get(key) for key in keys[kind]} for row in rows]
        for kind, rows in results.items()
        if kind in keys
    }
    if results.get("budget"):
        chosen["budget"] = {key: results["budget"][0].get(key) for key in BUDGET_KEYS}
    return chosen


def main(argv: list[str] | None = None) -> int:
    """Print the tables, and the JSON line when asked."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("results", nargs="+", type=Path)
    parser.add_argument("--json", action="store_true", help="end with one JSON line")
    args = parser.parse_args(argv)
    results = load(args.results)
    lines: list[str] = []
    for kind in BULK_TITLES:
        if kind in results:
            lines += bulk_table(results[kind], kind)
    tables = (
        ("update_cost", update_cost_table),
        ("api", api_table),
        ("month", month_table),
        ("budget", budget_lines),
    )
    for kind, table in tables:
        if kind in results:
            lines += ["", *table(results[kind])] if lines else table(results[kind])
    print("\n".join(lines))
    if args.json:
        print(json.dumps(summary(results), separators=(", ", ": ")))
    return 0 if results else 1


if __name__ == "__main__":
    raise SystemExit(main())
