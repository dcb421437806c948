"""Turn the workers' measurements into medians, Markdown tables, the target check and the sweep figure."""

from __future__ import annotations

import statistics
from collections import defaultdict

from workloads import TUTORIALS, workload

METRICS = ("import_s", "fit_s", "whole_s", "peak_mb", "extra_mb")
RATIO_COLUMNS = (("fit_s", "fit"), ("whole_s", "whole"), ("peak_mb", "memory"))

TUTORIAL_NAMES = tuple(spec.name for spec in TUTORIALS)
RATIO_TARGETS = (  # (workloads, peer, metric, linnet at least this many times smaller)
    (TUTORIAL_NAMES, "keras", "fit_s", 300), (TUTORIAL_NAMES, "torch", "fit_s", 10),
    (TUTORIAL_NAMES, "keras", "whole_s", 50), (TUTORIAL_NAMES, "torch", "whole_s", 10),
    (("epoch32",), "torch", "fit_s", 7), (("epoch1024",), "torch", "fit_s", 5),
    (("epoch32",), "torch_expert", "fit_s", 1.5), (("epoch1024",), "torch_expert", "fit_s", 2),
    (("ols",), "numpy", "fit_s", 4), (("ols",), "statsmodels", "fit_s", 10),
    (("ols",), "numpy", "fit_s", 8), (("ols",), "sklearn", "fit_s", 4), (("ols",), "numpy_chunked", "fit_s", 1.3),
)
TUTORIAL_PEAK_MB = 80
OLS_COEF_TOLERANCE = 1e-8


def summarize(runs: list[dict]) -> dict[tuple[str, str], dict]:
    """Medians, minima and maxima of every metric for each (workload, peer), in the order first measured."""
    grouped = defaultdict(list)
    for run in runs:
        if "error" not in run and "unsupported" not in run:
            grouped[run["workload"], run["peer"]].append(run)
    summary = {}
    for key, measured in grouped.items():
        row = {"n": len(measured), "version": measured[0]["version"]}
        for metric in METRICS + ("loss", "exact_loss", "data_mb"):
            values = [run[metric] for run in measured if run.get(metric) is not None]
            if values:
                row[metric] = (statistics.median(values), min(values), max(values))
        row["params"] = [measured[0]["intercept"], *measured[0]["coef"]]
        summary[key] = row
    return summary


def ratio(summary: dict, workload_name: str, peer: str, metric: str) -> float | None:
    """The peer's median over linnet's median (above 1: linnet takes less)."""
    mine, theirs = summary.get((workload_name, "linnet")), summary.get((workload_name, peer))
    if not mine or not theirs or metric not in mine or metric not in theirs or mine[metric][0] <= 0:
        return None
    return theirs[metric][0] / mine[metric][0]


def params_gap(summary: dict, workload_name: str, peer: str) -> float | None:
    """Largest absolute difference between the peer's (intercept, coef) and NumPy's float64 ``lstsq``."""
    exact, row = summary.get((workload_name, "numpy")), summary.get((workload_name, peer))
    if not exact or not row:
        return None
    return max(abs(a - b) for a, b in zip(row["params"], exact["params"]))


def tables(summary: dict) -> str:
    """One Markdown table per workload: every metric as ``median (min–max)`` and the ratios to linnet."""
    header = ("| peer | import s | fit s | whole program s | peak RSS MB | fit +MB | final loss | "
              "Δ params vs lstsq | fit ÷ linnet | whole ÷ linnet | memory ÷ linnet |")
    blocks = []
    for name in dict.fromkeys(name for name, _ in summary):
        lines = [f"**{name}**: {workload(name).title}", "", header, "|" + "---|" * (header.count("|") - 1)]
        for (workload_name, peer), row in summary.items():
            if workload_name == name:
                lines.append(_table_row(summary, name, peer, row))
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def headline(summary: dict) -> str:
    """The issue's layout: one row per workload, ``fit / whole program / peak RSS`` (medians) for each peer."""
    peers = [peer for peer in ("linnet", "keras", "torch", "torch_expert", "numpy", "sklearn", "statsmodels",
                               "numpy_chunked")
             if any(key[1] == peer for key in summary)]
    lines = ["| workload | " + " | ".join(HEADLINE_NAMES[peer] for peer in peers) + " |",
             "|" + "---|" * (len(peers) + 1)]
    for name in dict.fromkeys(name for name, _ in summary):
        cells = [workload(name).title]
        for peer in peers:
            row = summary.get((name, peer))
            cells.append("" if row is None else
                         f"{_short(row['fit_s'][0])} s / {_short(row['whole_s'][0])} s / {row['peak_mb'][0]:.0f} MB")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


HEADLINE_NAMES = {"linnet": "linnet fit / whole / peak", "keras": "Keras", "torch": "PyTorch",
                  "torch_expert": "PyTorch, expert loop",
                  "numpy": "NumPy lstsq (closed form)", "sklearn": "scikit-learn", "statsmodels": "statsmodels",
                  "numpy_chunked": "chunked NumPy normal equations"}


def _table_row(summary: dict, name: str, peer: str, row: dict) -> str:
    label = f"{peer} {row['version']}" + ("" if peer != "numpy" else " lstsq")
    cells = [label] + [_spread(row.get(metric)) for metric in METRICS]
    cells.append(_number(row.get("loss", row.get("exact_loss"))))
    gap = params_gap(summary, name, peer)
    cells.append("" if gap is None or peer == "numpy" else f"{gap:.1e}")
    for metric, _ in RATIO_COLUMNS:
        value = ratio(summary, name, peer, metric)
        cells.append("" if value is None else ("1" if peer == "linnet" else _times(value)))
    return "| " + " | ".join(cells) + " |"


def _spread(values) -> str:
    if values is None:
        return ""
    median, low, high = values
    return f"{_short(median)} ({_short(low)}–{_short(high)})" if high > low else _short(median)


def _short(value: float) -> str:
    return f"{value:.0f}" if abs(value) >= 100 else f"{value:.3g}"


def _number(values) -> str:
    return "" if values is None else f"{values[0]:.6g}"


def _times(value: float) -> str:
    return f"{value:.0f}×" if value >= 10 else f"{value:.2g}×"


def targets(summary: dict) -> list[tuple[str, bool]]:
    """Every issue target that the measurements cover, as (description with numbers, met)."""
    checks = []
    for names, peer, metric, minimum in RATIO_TARGETS:
        for name in names:
            value = ratio(summary, name, peer, metric)
            if value is not None:
                checks.append((f"{name}: {metric[:-2]} {value:.1f}× faster than {peer} (target ≥ {minimum}×)",
                               value >= minimum))
    for name in TUTORIAL_NAMES:
        if (name, "linnet") in summary:
            peak = summary[name, "linnet"]["peak_mb"][0]
            checks.append((f"{name}: linnet peak RSS {peak:.0f} MB (target < {TUTORIAL_PEAK_MB} MB)",
                           peak < TUTORIAL_PEAK_MB))
    if ("ols", "linnet") in summary:
        row = summary["ols", "linnet"]
        extra, data = row["extra_mb"][0], row["data_mb"][0]
        checks.append((f"ols: linnet needs {extra:.1f} MB beyond the {data:.0f} MB of data (target < {data / 2:.0f})",
                       extra < data / 2))
        gap = params_gap(summary, "ols", "linnet")
        if gap is not None:
            checks.append((f"ols: linnet's coefficients within {gap:.1e} of NumPy lstsq (target ≤ 1e-8)",
                           gap <= OLS_COEF_TOLERANCE))
    return checks


def sweep_table(summary: dict, rows: list[int]) -> str:
    """Fit time and memory beyond the data for each sweep size (medians)."""
    columns = (("ols", "linnet", "linnet ols"), ("ols", "numpy", "NumPy lstsq"),
               ("epoch1024", "linnet", "linnet SGD epoch, batch 1024"))
    lines = ["| rows | data MB | " + " | ".join(f"{label} s | {label} +MB" for *_, label in columns) + " |",
             "|" + "---|" * (2 + 2 * len(columns))]
    for count in rows:
        cells = [f"{count:,}", ""]
        for base, peer, _ in columns:
            row = summary.get((f"{base}@{count}", peer), {})
            if "data_mb" in row:
                cells[1] = f"{row['data_mb'][0]:.1f}"
            cells += [_short(row["fit_s"][0]) if row else "", _short(row["extra_mb"][0]) if row else ""]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def plot_sweep(summary: dict, rows: list[int], path) -> None:
    """Log-log figure of fit time and memory beyond the data against rows; saved as a PNG at ``path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    figure, (time_axis, memory_axis) = plt.subplots(1, 2, figsize=(11, 4.2))
    series = (("ols", "linnet", "linnet.ols", "C0", "o-"), ("ols", "numpy", "NumPy lstsq (float64)", "C1", "s-"),
              ("epoch1024", "linnet", "linnet SGD epoch, batch 1024", "C2", "^-"))
    for base, peer, label, color, style in series:
        points = [(count, summary[f"{base}@{count}", peer]) for count in rows if (f"{base}@{count}", peer) in summary]
        counts = [count for count, _ in points]
        time_axis.plot(counts, [row["fit_s"][0] for _, row in points], style, color=color, label=label)
        memory_axis.plot(counts, [max(row["extra_mb"][0], 0.1) for _, row in points], style, color=color,
                         label=label)
    data = [(count, summary[f"ols@{count}", "linnet"]["data_mb"][0]) for count in rows
            if (f"ols@{count}", "linnet") in summary]
    memory_axis.plot([c for c, _ in data], [mb for _, mb in data], "k--", label="size of the data (x, y)")
    for axis, label in ((time_axis, "fit time (s)"), (memory_axis, "memory beyond the loaded data (MB)")):
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel("rows (20 float32 features)")
        axis.set_ylabel(label)
        axis.grid(True, which="both", alpha=0.3)
        axis.legend(fontsize=8)
    time_axis.set_title("Fit time (median of fresh processes)")
    memory_axis.set_title("Peak memory of the fit above the loaded data")
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
