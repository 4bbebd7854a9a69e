"""The benchmarks app sits on top of the service: it may import every app, no app imports it.

The benchmark commands, the synthetic-export generator and the load script live in `benchmarks/`
(issue 17), so the service must run without that folder: no service module imports from it, and
with the package gone and the app uninstalled every service module still imports, the system
checks pass and the URLs resolve. The service's tests may use it (they build synthetic exports).
"""

import ast
import os
import subprocess
import sys
from pathlib import Path

from django.core.management import get_commands

REPO = Path(__file__).resolve().parents[2]

SERVICE_PACKAGES = ("accounts", "plays", "imports", "mcp", "adminui", "spotify_history")
SERVICE_FILES = ("manage.py", "gunicorn.conf.py")
BENCHMARK_COMMANDS = (
    "benchmark_collector",
    "benchmark_concurrent_imports",
    "benchmark_export",
    "benchmark_hidden",
    "benchmark_import",
    "benchmark_mcp",
    "benchmark_mcp_load",
    "benchmark_polling",
    "make_synthetic_export",
    "plot_benchmarks",
)


def service_modules():
    for package in SERVICE_PACKAGES:
        for path in sorted((REPO / package).rglob("*.py")):
            if "tests" not in path.relative_to(REPO).parts:
                yield path
    for name in SERVICE_FILES:
        yield REPO / name


def imported_modules(path):
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module


def imports_benchmarks(path):
    return [name for name in imported_modules(path) if name.split(".")[0] == "benchmarks"]


def test_no_service_module_imports_the_benchmarks_app():
    checked = list(service_modules())
    assert len(checked) > 100  # the walk really found the apps
    offenders = {
        str(path.relative_to(REPO)): names
        for path in checked
        if (names := imports_benchmarks(path))
    }
    assert offenders == {}


def test_the_check_sees_an_import_of_benchmarks(tmp_path):
    module = tmp_path / "upward.py"
    module.write_text("import os\nfrom benchmarks.synthetic import build_synthetic_export\n")
    assert imports_benchmarks(module) == ["benchmarks.synthetic"]


def test_the_benchmark_commands_come_from_the_benchmarks_app():
    commands = get_commands()
    assert {name: commands.get(name) for name in BENCHMARK_COMMANDS} == dict.fromkeys(
        BENCHMARK_COMMANDS, "benchmarks"
    )


# Run in a fresh interpreter where `import benchmarks` fails and the app is not installed.
WITHOUT_BENCHMARKS = """
import importlib, pkgutil, sys
sys.modules["benchmarks"] = None  # any import of the package now raises ImportError
from spotify_history import test_settings
test_settings.INSTALLED_APPS = [
    app for app in test_settings.INSTALLED_APPS if not app.startswith("benchmarks")
]
import django
django.setup()
imported = 0
for name in sys.argv[1:]:
    package = importlib.import_module(name)
    for module in pkgutil.walk_packages(package.__path__, name + "."):
        if ".tests" not in module.name:
            importlib.import_module(module.name)
            imported += 1
from django.core.management import call_command, get_commands
from django.urls import resolve
call_command("check", fail_level="ERROR")
resolve("/healthz")
resolve("/mcp")
assert "benchmark_mcp" not in get_commands()
print("imported", imported, "service modules")
"""


def test_the_service_imports_checks_and_routes_without_the_benchmarks_package(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "SPOTIFY_", "ADMIN_", "TOKEN_"))
    }
    env.update(
        ENV_FILE="",
        DATABASE_URL="",
        DATA_DIR=str(tmp_path / "data"),
        DJANGO_SETTINGS_MODULE="spotify_history.test_settings",
        SECRET_KEY="layers-test-" + "x" * 50,
        ADMIN_TOKEN="layers-test-admin-token-0123456789",
    )
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_BENCHMARKS, *SERVICE_PACKAGES],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert int(result.stdout.splitlines()[-1].split()[1]) > 100


# The service's layers, lowest first (README, "Development"): a module may import its own app and
# the apps below it, never one above. `mcp` sits above `imports` (the operator's
# `recent_import_jobs` tool lists import jobs); `imports` never imports `mcp`.
LAYERS = ("accounts", "plays", "imports", "mcp", "adminui", "spotify_history")


def upward_imports(path, layer):
    above = set(LAYERS[LAYERS.index(layer) + 1 :])
    return sorted({name for name in imported_modules(path) if name.split(".")[0] in above})


def test_each_app_imports_only_itself_and_the_apps_below_it():
    offenders = {}
    for path in service_modules():
        layer = path.relative_to(REPO).parts[0]
        if layer in LAYERS and (names := upward_imports(path, layer)):
            offenders[str(path.relative_to(REPO))] = names
    assert offenders == {}


def test_the_layer_check_sees_an_upward_import(tmp_path):
    module = tmp_path / "upward.py"
    module.write_text("from plays.queries import top_artists\nfrom mcp.tools import call_tool\n")
    assert upward_imports(module, "imports") == ["mcp.tools"]
    assert upward_imports(module, "adminui") == []
