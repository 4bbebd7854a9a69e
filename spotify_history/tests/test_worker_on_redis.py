"""Q_BROKER=redis: the worker's queue in Redis at REDIS_URL, for real.

A real `manage.py qcluster` runs with Q_BROKER=redis against the Redis server on 127.0.0.1:6379
(a database number of its own, so nothing else on that server shares its queue); a task queued by
another process with the same settings is done, and the cluster's state lives in that Redis
database while the database's own queue table stays empty. Its results are stored in the
database, as with the ORM broker.
"""

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis

from spotify_history.tests.test_serve import manage

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/13")


def redis_database():
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError as error:
        pytest.skip(f"no Redis server at {REDIS_URL} ({error}); .ci/run starts one")
    return client


@pytest.fixture
def redis_env(tmp_path):
    client = redis_database()
    client.flushdb()
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_", "Q_", "REDIS_"))
    }
    env.update(
        {
            "ENV_FILE": "",
            "DEBUG": "true",
            "DATA_DIR": str(tmp_path),
            "DATABASE_URL": "",
            "Q_BROKER": "redis",
            "REDIS_URL": REDIS_URL,
            "WORKER_PROCESSES": "1",
        }
    )
    yield env, client
    client.flushdb()


def test_a_qcluster_on_redis_does_a_task_queued_by_another_process(redis_env, tmp_path):
    env, client = redis_env
    assert manage(env, "migrate", "--no-input").returncode == 0
    worker = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        queue_and_wait = (
            "from django_q.tasks import async_task, result; "
            "task = async_task('math.hypot', 3, 4, task_name='on-redis'); "
            "print('result', result(task, wait=60000))"
        )
        ran = manage(env, "shell", "-c", queue_and_wait, timeout=90)
        assert "result 5.0" in ran.stdout, ran.stderr
        # The cluster reports itself in Redis: it is the broker the worker uses.
        deadline = time.monotonic() + 30
        while not client.keys("django_q:spotify_history:cluster*"):
            assert time.monotonic() < deadline, "the cluster never reported itself in Redis"
            time.sleep(0.5)
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)
    with sqlite3.connect(tmp_path / "spotify_history.sqlite3") as database:
        [(queued,)] = database.execute("SELECT COUNT(*) FROM django_q_ormq").fetchall()
        [(name, success)] = database.execute("SELECT name, success FROM django_q_task").fetchall()
    assert queued == 0
    assert (name, success) == ("on-redis", 1)


def test_an_unknown_broker_stops_the_checks_with_one_line(run_manage):
    result = run_manage("check", env={"Q_BROKER": "rabbit"})
    assert result.returncode != 0
    assert "Q_BROKER must be 'orm'" in result.stderr
