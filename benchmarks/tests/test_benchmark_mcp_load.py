"""benchmark_mcp_load's pure parts (sizes, the mix, percentiles, the figures' shape, the table) and
the charts drawn from its JSON; the load itself is a benchmark, never run by the tests."""

import json
import random
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from benchmarks.management.commands.benchmark_mcp_load import (
    MIX,
    Command,
    Target,
    choose_call,
    listener_sizes,
    percentile,
    summarise,
    table,
)
from benchmarks.plots import MCP_LOAD_BY_CONCURRENCY, MCP_LOAD_BY_PLAYS, plot_mcp_load
from mcp.tools import call_tool, resolve_tool
from mcp.tools.history import HISTORY_TOOLS
from plays.tests.query_fixtures import build_history

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def test_sizes_spread_evenly_up_to_the_largest():
    assert listener_sizes(1_000_000, 10) == [100_000 * number for number in range(1, 11)]
    assert listener_sizes(10, 3) == [3, 6, 10]
    with pytest.raises(ValueError):
        listener_sizes(5, 10)


def test_every_tool_of_the_mix_is_a_history_tool_with_a_positive_weight():
    assert set(MIX) <= {tool.name for tool in HISTORY_TOOLS}
    assert all(weight > 0 for weight in MIX.values())
    assert sum(MIX.values()) == 100


def _targets():
    return [
        Target(
            plays=plays, secret=f"s{plays}", cases={tool: [(f"{tool} {plays}", {})] for tool in MIX}
        )
        for plays in (10, 20, 30)
    ]


def test_choose_call_follows_the_weights_and_the_seed():
    targets = _targets()
    mix = {"top_artists": 9, "recent_plays": 1}
    draws = [choose_call(random.Random(5), mix, targets) for _ in range(3)]
    assert draws[0][1:] == draws[1][1:] == draws[2][1:]  # the same seed, the same call
    rng = random.Random(17)
    sequence = [choose_call(rng, mix, targets) for _ in range(5000)]
    tools = Counter(tool for _, tool, _, _ in sequence)
    assert set(tools) == set(mix)
    assert tools["top_artists"] > 6 * tools["recent_plays"]  # 9:1 expected
    sizes = Counter(target.plays for target, _, _, _ in sequence)
    assert set(sizes) == {10, 20, 30}
    assert min(sizes.values()) > 1300  # uniform over listeners: about 1,667 each
    for target, tool, label, arguments in sequence[:50]:
        assert (label, arguments) in target.cases[tool]


def test_percentile_is_the_nearest_rank():
    values = list(range(100, 0, -1))  # 1..100, unsorted
    assert percentile(values, 0.50) == 50
    assert percentile(values, 0.95) == 95
    assert percentile(values, 0.99) == 99
    assert percentile([7.0], 0.99) == 7.0
    assert percentile([], 0.5) is None


def _calls():
    calls = [(100, "top_artists", float(ms), True) for ms in range(1, 101)]
    calls += [(200, "recent_plays", float(ms), True) for ms in range(1, 21)]
    calls += [(200, "recent_plays", 5000.0, False)]  # an error: counted, not timed
    return calls


def test_summarise_counts_errors_and_spreads_per_tool_and_listener():
    level = summarise(
        _calls(), clients=8, seconds=10.0, peak_rss_mb=210.44, error_samples=["e"] * 9
    )
    assert level["calls"] == 121
    assert level["calls_per_second"] == 12.1
    assert level["errors"] == 1
    assert level["error_samples"] == ["e"] * 5
    assert level["peak_rss_mb"] == 210.4
    answered = sorted([float(ms) for ms in range(1, 101)] + [float(ms) for ms in range(1, 21)])
    assert level["all"] == {
        "calls": 120,
        "p50_ms": answered[59],
        "p95_ms": answered[113],
        "p99_ms": answered[118],
    }
    assert level["tools"]["top_artists"] == {
        "calls": 100,
        "p50_ms": 50.0,
        "p95_ms": 95.0,
        "p99_ms": 99.0,
    }
    assert level["tools"]["recent_plays"]["calls"] == 20
    assert level["tools"]["recent_plays"]["p99_ms"] == 20.0  # the failed 5 s call is not timed
    assert [row["plays"] for row in level["listeners"]] == [100, 200]
    assert level["listeners"][1]["calls"] == 20
    assert json.loads(json.dumps(level)) == level


def _report():
    levels = [
        summarise(_calls(), clients=clients, seconds=10.0, peak_rss_mb=200.0 + clients)
        for clients in (1, 8, 32)
    ]
    return {
        "path": "POST /mcp",
        "seconds_per_level": 10.0,
        "machine": {
            "nproc": 2,
            "cpu_model": "Test CPU",
            "python": "3.11",
            "database": "sqlite",
            "load_before": [1.0, 1.0, 1.0],
            "load_after": [2.0, 2.0, 2.0],
        },
        "levels": levels,
        "mix": MIX,
    }


def test_the_table_has_a_row_per_level_tool_and_listener():
    text = table(_report())
    assert "| 8 | 121 | 12.1 | 40.0 ms | 94.0 ms | 99.0 ms | 1 | 0 | 208 MB |" in text
    for tool in MIX:
        assert f"| `{tool}` | {MIX[tool]} |" in text
    assert "| `top_artists` | 12 | 50.0 / 95.0 / 99.0 |" in text
    assert "| `discoveries` | 4 | no calls |" in text
    assert "| 200 | 10.0 / 19.0 / 20.0 |" in text


def test_the_charts_are_written_as_pngs(tmp_path):
    paths = plot_mcp_load(_report(), tmp_path / "performance")
    assert [path.name for path in paths] == [MCP_LOAD_BY_PLAYS, MCP_LOAD_BY_CONCURRENCY]
    for path in paths:
        assert path.read_bytes().startswith(PNG_SIGNATURE)


def test_plot_benchmarks_draws_from_the_json_and_refuses_other_files(tmp_path):
    figures = tmp_path / "load.json"
    figures.write_text(json.dumps(_report()))
    call_command("plot_benchmarks", "--mcp-load", str(figures), "--out", str(tmp_path / "png"))
    assert (tmp_path / "png" / MCP_LOAD_BY_PLAYS).read_bytes().startswith(PNG_SIGNATURE)
    figures.write_text(json.dumps({"levels": []}))
    with pytest.raises(CommandError, match="Not the output of the benchmark commands"):
        call_command("plot_benchmarks", "--mcp-load", str(figures), "--out", str(tmp_path))
    with pytest.raises(CommandError, match="Cannot read"):
        call_command("plot_benchmarks", "--mcp-load", str(tmp_path / "none.json"))


@pytest.mark.django_db
def test_every_tool_of_the_mix_gets_argument_sets_that_are_answered(listener):
    build_history(listener)
    cases = Command().cases_for(listener)
    assert set(cases) == set(MIX)
    for tool, sets in cases.items():
        for label, arguments in sets:
            outcome = call_tool(resolve_tool(tool), arguments, listener)
            assert outcome.error is None, (tool, label, outcome.error)


@pytest.mark.django_db
def test_the_command_refuses_bad_options_and_real_listeners(listener):
    with pytest.raises(CommandError, match="--clients"):
        call_command("benchmark_mcp_load", "--clients", "0")
    with pytest.raises(CommandError, match="Bad"):
        call_command("benchmark_mcp_load", "--max-plays", "5")
    with pytest.raises(CommandError, match="real listeners"):
        call_command("benchmark_mcp_load", "--max-plays", "100", "--seconds", "1")


def test_plot_benchmarks_needs_at_least_one_file():
    with pytest.raises(CommandError, match="Give --mcp-load, --collector and/or --imports"):
        call_command("plot_benchmarks")
