"""docker-compose.yml and the Dockerfile parse and run real entry points of this project.

No Docker engine runs where the tests run, so this is what can be proven here: the compose file is
valid YAML of the expected shape, and every command it (or the image) runs names a management
command that exists or a WSGI application that imports.
"""

import importlib
import json
import re
import runpy
import shlex
from pathlib import Path

import pytest
import yaml
from django.core.management import get_commands

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def compose():
    return yaml.safe_load((REPO / "docker-compose.yml").read_text())


def dockerfile_instructions(name):
    text = (REPO / "Dockerfile").read_text().replace("\\\n", " ")
    return [
        line[len(name) + 1 :].strip() for line in text.splitlines() if line.startswith(name + " ")
    ]


def dockerfile_instruction(name):
    [value] = dockerfile_instructions(name)
    return value


def command_words(command):
    """Splits a compose/Docker command (string, list, or `sh -c "..."`) into simple commands."""
    words = shlex.split(command) if isinstance(command, str) else list(command)
    if words[:2] == ["sh", "-c"]:
        return [shlex.split(part) for part in re.split(r"&&|;", words[2])]
    return [words]


def assert_real_entry_point(words):
    words = [word for word in words if word != "exec"]
    if words[:2] == ["python", "manage.py"]:
        assert words[2] in get_commands(), f"no management command {words[2]!r}"
    elif words == ["gunicorn"]:
        module, attribute = gunicorn_settings()["wsgi_app"].split(":")
        assert callable(getattr(importlib.import_module(module), attribute))
    else:
        pytest.fail(f"unexpected command {words}")


def gunicorn_settings():
    """The names gunicorn.conf.py defines (gunicorn runs the file and reads them the same way)."""
    return runpy.run_path(str(REPO / "gunicorn.conf.py"))


def test_gunicorn_is_configured_in_one_file_that_every_start_uses(compose):
    settings = gunicorn_settings()
    assert settings["worker_class"] == "gthread"
    assert settings["workers"] * settings["threads"] >= 16
    assert settings["logger_class"] == "spotify_history.access_log.RedactingLogger"
    web = command_words(compose["services"]["web"]["command"])[-1]
    image = command_words(json.loads(dockerfile_instruction("CMD")))[-1]
    # Nothing on the command line: every setting comes from gunicorn.conf.py.
    assert web == image == ["exec", "gunicorn"]
    readme = (REPO / "README.md").read_text()
    assert "gunicorn.conf.py" in readme
    assert not re.search(
        r"gunicorn [^\n`]*--(workers|threads|worker-class|timeout|access-logfile)", readme
    )


def test_compose_has_the_services_of_the_guide(compose):
    always = {name for name, service in compose["services"].items() if "profiles" not in service}
    assert always == {"postgres", "web", "worker"}
    assert set(compose["volumes"]) == {"postgres_data", "upload_data"}


def test_redis_starts_only_when_asked_for_the_redis_worker_queue(compose):
    redis = compose["services"]["redis"]
    assert redis["profiles"] == ["redis"]
    assert "ports" not in redis  # reached by the worker and web on the compose network only
    assert (
        "Q_BROKER=redis and REDIS_URL=redis://redis:6379/0"
        in (REPO / "docker-compose.yml").read_text()
    )


def test_postgres_is_health_checked_with_a_volume_on_host_port_5434(compose):
    postgres = compose["services"]["postgres"]
    assert "healthcheck" in postgres
    assert "postgres_data:/var/lib/postgresql/data" in postgres["volumes"]
    assert any(str(port).endswith("5434:5432") for port in postgres["ports"])


def test_web_serves_port_8000_after_postgres_is_healthy(compose):
    web = compose["services"]["web"]
    assert any(str(port).endswith("8000:8000") for port in web["ports"])
    assert web["depends_on"]["postgres"]["condition"] == "service_healthy"


def test_web_applies_migrations_before_serving(compose):
    steps = command_words(compose["services"]["web"]["command"])
    assert steps[0][:3] == ["python", "manage.py", "migrate"]
    assert "gunicorn" in steps[-1]


def test_worker_runs_qcluster_once_web_has_migrated(compose):
    worker = compose["services"]["worker"]
    assert command_words(worker["command"]) == [["python", "manage.py", "qcluster"]]
    assert worker["depends_on"]["web"]["condition"] == "service_healthy"


def test_web_and_worker_share_the_upload_volume(compose):
    for name in ("web", "worker"):
        assert "upload_data:/data/uploads" in compose["services"][name]["volumes"]


@pytest.mark.parametrize("service", ["web", "worker"])
def test_every_compose_command_is_a_real_entry_point(compose, service):
    for words in command_words(compose["services"][service]["command"]):
        assert_real_entry_point(words)


def test_the_image_command_is_a_real_entry_point():
    for words in command_words(json.loads(dockerfile_instruction("CMD"))):
        assert_real_entry_point(words)


def test_the_image_runs_as_a_non_root_user_and_checks_healthz():
    assert dockerfile_instruction("USER") == "app"
    assert "/healthz" in dockerfile_instruction("HEALTHCHECK")
    assert any("manage.py collectstatic" in run for run in dockerfile_instructions("RUN"))
    assert dockerfile_instruction("FROM").startswith("python:3.11-slim")
