"""The collector load benchmark's pure parts, its charts, and both commands end to end."""

import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from accounts.models import Listener
from benchmarks.collector_load import coverage, expected_outcomes, pass_report, tally
from benchmarks.management.commands.benchmark_collector import worker_counts
from benchmarks.management.commands.benchmark_concurrent_imports import (
    distinct_plays,
    import_row,
)
from benchmarks.plots import plot_collector, plot_import_rates
from benchmarks.synthetic import build_synthetic_export
from imports.jobs import job_for_file, run_import_job
from plays.models import Play
from spotify_standin.state import random_fault_status

USERS = [f"benchmark-collector-{number:05d}" for number in range(500)]
MACHINE = {"nproc": 2, "cpu_model": "Test CPU", "python": "3.11"}


def test_expected_outcomes_follow_the_stand_ins_draw_for_that_pass():
    for ordinal in (0, 1):
        outcomes = expected_outcomes(3, USERS, ordinal=ordinal, rate=0.2)
        draws = {
            user: random_fault_status(3, "recently_played", user, ordinal, 0.2) for user in USERS
        }
        assert outcomes == {
            user: {None: "ok", 429: "retried", 503: "failed"}[status]
            for user, status in draws.items()
        }
    assert set(expected_outcomes(3, USERS, ordinal=0, rate=0.0).values()) == {"ok"}


def test_tally_names_run_statuses_and_keeps_unexpected_ones_apart():
    statuses = ["succeeded"] * 5 + ["rate_limited"] * 2 + ["failed"] + ["running"]

    assert tally(statuses) == {"ok": 5, "retried": 2, "failed": 1, "running": 1}
    assert tally([]) == {"ok": 0, "retried": 0, "failed": 0}


def test_coverage_counts_listeners_polled_twice_and_skipped():
    assert coverage([1, 2, 3, 4], {1: 1, 2: 2, 4: 3}) == (2, 1)
    assert coverage([1, 2], {1: 1, 2: 1}) == (0, 0)


def test_a_pass_is_correct_only_when_covered_exactly_with_the_expected_outcomes():
    counts = {"ok": 9, "retried": 1, "failed": 0}
    arguments = {"workers": 2, "seconds": 4.0, "listeners": 10, "plays": 27}
    good = pass_report(outcomes=counts, expected=counts, twice=0, skipped=0, **arguments)

    assert good["listeners_per_second"] == 2.5
    assert good["correct"] is True
    assert not pass_report(outcomes=counts, expected=counts, twice=1, skipped=0, **arguments)[
        "correct"
    ]
    assert not pass_report(outcomes=counts, expected=counts, twice=0, skipped=1, **arguments)[
        "correct"
    ]
    other = {"ok": 10, "retried": 0, "failed": 0}
    assert not pass_report(outcomes=counts, expected=other, twice=0, skipped=0, **arguments)[
        "correct"
    ]


def test_worker_counts_are_parsed_or_refused_clearly():
    assert worker_counts("1,2,4") == [1, 2, 4]
    for bad in ("", "0,2", "one", "2,-1"):
        with pytest.raises(CommandError, match="--workers"):
            worker_counts(bad)


def summary(**changes):
    base = {
        "listener": "l",
        "status": "succeeded_with_warnings",
        "records_done": 100,
        "seconds": 4.0,
        "inserted": 90,
        "duplicates": 6,
        "skipped": {"total": 4},
    }
    return {**base, **changes}


def test_an_import_row_is_correct_only_when_every_record_is_accounted_for():
    row = import_row(summary(), stored=90, expected_distinct=90)
    assert row["records_per_second"] == 25
    assert row["correct"] is True
    assert not import_row(summary(), stored=89, expected_distinct=90)["correct"]
    assert not import_row(summary(), stored=90, expected_distinct=91)["correct"]
    assert not import_row(summary(inserted=89), stored=89, expected_distinct=89)["correct"]
    assert not import_row(summary(status="failed"), stored=90, expected_distinct=90)["correct"]


@pytest.mark.django_db(transaction=True)
def test_the_distinct_count_agrees_with_what_the_real_import_stores(tmp_path):
    path = build_synthetic_export(tmp_path / "export.zip", records=800, seed=5).path
    listener = Listener.objects.create(spotify_user_id="distinct-check")

    job = run_import_job(job_for_file(listener, path).pk)

    expected, rows = distinct_plays(path)
    assert rows == 800
    assert expected == Play.objects.filter(listener=listener).count() == job.inserted


def collector_report():
    passes = [
        pass_report(
            workers=workers,
            seconds=seconds,
            listeners=100,
            outcomes={"ok": 99, "retried": 1, "failed": 0},
            expected={"ok": 99, "retried": 1, "failed": 0},
            twice=0,
            skipped=0,
            plays=297,
        )
        for workers, seconds in ((1, 20.0), (2, 12.0), (4, 9.0))
    ]
    return {
        "machine": MACHINE,
        "load_before": [1.0, 1.0, 1.0],
        "load_after": [2.0, 1.0, 1.0],
        "pool_per_worker": 8,
        "settings": {"listeners": 100, "latency_ms": 100, "fault_rate": 0.01},
        "passes": passes,
    }


def imports_report(records, rates):
    return {
        "machine": MACHINE,
        "load_before": [1.0, 1.0, 1.0],
        "load_after": [2.0, 1.0, 1.0],
        "settings": {"records": records},
        "imports": [{"records_per_second": rate} for rate in rates],
    }


def test_the_charts_are_written_as_png_files(tmp_path):
    collector = plot_collector(collector_report(), tmp_path / "out")
    rates = plot_import_rates(
        [imports_report(300_000, [9000, 9500, 8000]), imports_report(100_000, [7000, 8000, 7500])],
        tmp_path / "out",
    )

    for path in (collector, rates):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        assert path.stat().st_size > 5000


def test_plot_benchmarks_draws_collector_and_import_charts_and_refuses_other_json(tmp_path, capsys):
    collector = tmp_path / "collector.json"
    collector.write_text(json.dumps(collector_report()))
    call_command("plot_benchmarks", "--collector", str(collector), "--out", str(tmp_path))
    assert (tmp_path / "collector-pass-by-workers.png").exists()

    wrong = tmp_path / "wrong.json"
    wrong.write_text(json.dumps({"levels": []}))
    with pytest.raises(CommandError, match="Not the output"):
        call_command("plot_benchmarks", "--imports", str(wrong), "--out", str(tmp_path))


@pytest.mark.django_db(transaction=True)
def test_benchmark_collector_polls_every_listener_once_with_the_predicted_faults(
    subprocess_env, monkeypatch, tmp_path, capsys
):
    for key, value in subprocess_env.items():  # the workers poll this test's database
        monkeypatch.setenv(key, value)
    # Children use the real settings module with this test's keys (test_settings makes its own).
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="need PostgreSQL"):
            call_command("benchmark_collector", "--listeners", "5")
        return
    report_path = tmp_path / "collector.json"
    call_command(
        "benchmark_collector",
        "--listeners",
        "40",
        "--workers",
        "1,2",
        "--latency-ms",
        "0",
        "--fault-rate",
        "0.3",
        "--json",
        str(report_path),
    )
    report = json.loads(report_path.read_text())
    users = [f"benchmark-collector-{number:05d}" for number in range(40)]
    for ordinal, row in enumerate(report["passes"]):
        predicted = list(expected_outcomes(0, users, ordinal=ordinal, rate=0.3).values())
        assert row["outcomes"] == {
            name: predicted.count(name) for name in ("ok", "retried", "failed")
        }
        assert (row["polled_twice"], row["skipped"]) == (0, 0)
        assert sum(row["polled_by_each_worker"]) == 40
        assert row["plays_stored"] == 3 * predicted.count("ok")
    assert [row["workers"] for row in report["passes"]] == [1, 2]
    assert not Listener.objects.exists()


@pytest.mark.django_db
def test_benchmark_collector_refuses_a_database_with_real_listeners():
    Listener.objects.create(spotify_user_id="someone-real")

    with pytest.raises(CommandError, match=r"PostgreSQL|other listeners"):
        call_command("benchmark_collector", "--listeners", "5")


@pytest.mark.django_db(transaction=True)
def test_benchmark_concurrent_imports_counts_exactly(subprocess_env, monkeypatch, tmp_path):
    for key, value in subprocess_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("DJANGO_SETTINGS_MODULE", raising=False)
    if connection.vendor != "postgresql":
        with pytest.raises(CommandError, match="need PostgreSQL"):
            call_command("benchmark_concurrent_imports", "--records", "50")
        return
    report_path = tmp_path / "imports.json"
    call_command(
        "benchmark_concurrent_imports",
        "--records",
        "600",
        "--polling-listeners",
        "20",
        "--latency-ms",
        "0",
        "--fault-rate",
        "0.2",
        "--json",
        str(report_path),
    )
    report = json.loads(report_path.read_text())
    assert len(report["imports"]) == 3
    distinct = report["export"]["distinct_plays"]
    assert report["export"]["rows"] == 600
    assert all(row["plays_stored"] == row["inserted"] == distinct for row in report["imports"])
    assert report["polling"]["listeners"] == 20
    assert (report["polling"]["polled_twice"], report["polling"]["skipped"]) == (0, 0)
    assert report["correct"] is True
    assert not Listener.objects.exists()
