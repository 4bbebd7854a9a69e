"""PNG charts of the collector and concurrent-import figures for docs/performance.md.

The charts are drawn from the JSON the benchmark commands write (`benchmark_collector --json`,
`benchmark_concurrent_imports --json`), never typed in by hand, so rerunning a benchmark and
`manage.py plot_performance` redraws them with the new figures. matplotlib is a development
dependency (the service never draws); it is imported here only, with the Agg backend.
"""

from pathlib import Path

COLLECTOR_BY_WORKERS = "collector-pass-by-workers.png"
IMPORT_RATE_BY_SIZE = "import-rate-by-size.png"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def _subtitle(report):
    machine = report["machine"]
    return (
        f"{machine['nproc']} CPUs ({machine['cpu_model'] or 'unknown CPU'}), shared machine, "
        f"load {report['load_before'][0]:g} before / {report['load_after'][0]:g} after"
    )


def plot_collector(report, folder):
    """Pass time and listeners/s against worker processes, from `benchmark_collector --json`."""
    pyplot = _pyplot()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    passes = report["passes"]
    workers = [row["workers"] for row in passes]
    settings = report["settings"]
    figure, axes = pyplot.subplots(figsize=(8, 5), dpi=100)
    bars = axes.bar([str(count) for count in workers], [row["seconds"] for row in passes])
    axes.bar_label(
        bars,
        labels=[f"{row['seconds']:.0f} s\n{row['listeners_per_second']:.0f}/s" for row in passes],
        fontsize=9,
    )
    axes.set_xlabel(f"worker processes (each a pool of {report['pool_per_worker']} threads)")
    axes.set_ylabel("one pass over every listener (s)")
    axes.set_title(
        f"Collector pass: {settings['listeners']:,} listeners, {settings['latency_ms']} ms per "
        f"request, {settings['fault_rate']:.0%} 429/503\n{_subtitle(report)}",
        fontsize=10,
    )
    axes.set_ylim(0, max(row["seconds"] for row in passes) * 1.25)
    axes.grid(axis="y", alpha=0.3)
    figure.tight_layout()
    path = folder / COLLECTOR_BY_WORKERS
    figure.savefig(path)
    pyplot.close(figure)
    return path


def plot_import_rates(reports, folder):
    """Records/s of each of the three concurrent imports against the export's size, one
    `benchmark_concurrent_imports --json` report per size."""
    pyplot = _pyplot()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    reports = sorted(reports, key=lambda report: report["settings"]["records"])
    figure, axes = pyplot.subplots(figsize=(8, 5), dpi=100)
    sizes, means = [], []
    for report in reports:
        size = report["settings"]["records"]
        rates = [row["records_per_second"] for row in report["imports"]]
        axes.scatter([size] * len(rates), rates, color="tab:blue", alpha=0.6)
        sizes.append(size)
        means.append(sum(rates) / len(rates))
        # Each size ran at its own moment of a shared machine: say how busy it was then.
        axes.annotate(
            f"load {report['load_before'][0]:g} -> {report['load_after'][0]:g}",
            (size, means[-1]),
            textcoords="offset points",
            xytext=(0, -18),
            ha="center",
            fontsize=8,
        )
    axes.plot(sizes, means, color="tab:blue", label="each of 3 imports at once (mean: line)")
    axes.set_xscale("log")
    axes.xaxis.set_major_formatter(lambda value, _: f"{value / 1000:,.0f}k")
    axes.set_xlabel("records in the export (each import)")
    axes.set_ylabel("records/s per import")
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    machine = reports[-1]["machine"]
    axes.set_title(
        "Three imports at once while a polling pass runs\n"
        f"{machine['nproc']} CPUs ({machine['cpu_model'] or 'unknown CPU'}), shared machine; "
        "1-minute load average before -> after each run",
        fontsize=10,
    )
    figure.tight_layout()
    path = folder / IMPORT_RATE_BY_SIZE
    figure.savefig(path)
    pyplot.close(figure)
    return path
