"""PNG charts of the benchmark figures for docs/performance/ (issue 17, point 8): MCP under load,
collector passes against workers, import rates against export size.

Why a module: the benchmark commands write their raw figures as JSON (`--json FILE`) and the
charts in the docs are drawn from those files by `manage.py plot_benchmarks`, never by hand, so a
rerun of the benchmark redraws them. matplotlib is a development dependency (the service never
draws), imported here only, with the Agg backend (no display needed).
"""

from pathlib import Path

MCP_LOAD_BY_PLAYS = "mcp-load-by-plays.png"
MCP_LOAD_BY_CONCURRENCY = "mcp-load-by-concurrency.png"
COLLECTOR_BY_WORKERS = "collector-pass-by-workers.png"
IMPORT_RATE_BY_SIZE = "import-rate-by-size.png"
# The tools drawn one by one against concurrency: the everyday ones (the heaviest weights).
TOOLS_PER_LINE = 6


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    return pyplot


def plot_mcp_load(report, folder):
    """Two PNGs from `benchmark_mcp_load --json`: p50/p95 against the listener's plays (a line
    per concurrency level) and against the number of clients (all calls, then the most weighted
    tools). Returns their paths."""
    pyplot = _pyplot()
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    levels = report["levels"]
    machine = report["machine"]
    subtitle = (
        f"{machine['nproc']} CPUs, load average {machine['load_before'][0]:.0f} before, "
        f"{machine['load_after'][0]:.0f} after; {report['seconds_per_level']:g} s per level, "
        "loopback HTTP"
    )

    figure, axes = pyplot.subplots(figsize=(8, 5), dpi=100)
    for level in levels:
        rows = [row for row in level["listeners"] if row["calls"]]
        plays = [row["plays"] for row in rows]
        (line,) = axes.plot(
            plays, [row["p95_ms"] for row in rows], marker="o", label=f"{level['clients']} p95"
        )
        axes.plot(
            plays,
            [row["p50_ms"] for row in rows],
            marker=".",
            linestyle="--",
            color=line.get_color(),
            label=f"{level['clients']} p50",
        )
    axes.set_xlabel("plays of the listener")
    axes.set_ylabel("latency per call (ms), all tools of the mix")
    axes.set_title(f"MCP tools/call under load, by listener size\n{subtitle}", fontsize=10)
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    axes.legend(title="clients", fontsize=8)
    axes.xaxis.set_major_formatter(lambda value, _: f"{value / 1000:,.0f}k")
    by_plays = folder / MCP_LOAD_BY_PLAYS
    figure.tight_layout()
    figure.savefig(by_plays)
    pyplot.close(figure)

    figure, axes = pyplot.subplots(figsize=(8, 5), dpi=100)
    clients = [level["clients"] for level in levels]
    axes.plot(clients, [level["all"]["p95_ms"] for level in levels], "k-o", lw=2.5, label="all p95")
    axes.plot(clients, [level["all"]["p50_ms"] for level in levels], "k--.", lw=2, label="all p50")
    heaviest = sorted(report["mix"], key=lambda tool: -report["mix"][tool])[:TOOLS_PER_LINE]
    for tool in heaviest:
        values = [(level["tools"].get(tool) or {}).get("p95_ms") for level in levels]
        axes.plot(clients, values, marker="o", lw=1, label=f"{tool} p95")
    axes.set_xscale("log", base=2)
    axes.set_xticks(clients, [str(number) for number in clients])
    axes.set_xlabel("concurrent clients")
    axes.set_ylabel("latency per call (ms)")
    axes.set_title(f"MCP tools/call under load, by concurrency\n{subtitle}", fontsize=10)
    axes.set_ylim(bottom=0)
    axes.grid(alpha=0.3)
    axes.legend(fontsize=8)
    by_concurrency = folder / MCP_LOAD_BY_CONCURRENCY
    figure.tight_layout()
    figure.savefig(by_concurrency)
    pyplot.close(figure)
    return [by_plays, by_concurrency]


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
