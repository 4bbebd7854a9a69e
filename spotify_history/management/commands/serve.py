"""Runs the web server and the background worker together, for a one-machine set-up.

`make run` uses this so that a fresh checkout collects, imports and answers with one command.
Production runs the two as separate containers (see docker-compose.yml); this command is the
same pair, supervised: if either stops, the other is stopped too, and Ctrl-C stops both.

The system checks run once, here (or in the `migrate` before it, with --skip-checks here): the
two children skip them, so a warning is printed once, not three times. Once the web server
answers, a short banner says where everything is (`spotify_history.banner`).
"""

import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.core.management.base import BaseCommand

from spotify_history.banner import WILDCARD_HOSTS, startup_banner

READY_WAIT_SECONDS = 60


class Command(BaseCommand):
    help = "Run the web server and the django-q2 worker together (local, one-machine use)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host, port, **options):
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        children = {
            "worker": subprocess.Popen([*manage, "qcluster", "--skip-checks"]),
            "web": subprocess.Popen(
                [*manage, "runserver", "--noreload", "--skip-checks", f"{host}:{port}"]
            ),
        }
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self._wait_until_web_answers(host, port, children, lambda: stopping)
        if not stopping:
            self.stdout.write("\n" + "\n".join(startup_banner(host, port)) + "\n")
            self.stdout.flush()
        exited = None
        while not stopping and exited is None:
            time.sleep(0.2)
            exited = next((name for name, p in children.items() if p.poll() is not None), None)
        for process in children.values():
            if process.poll() is None:
                process.terminate()
        for process in children.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        if exited:
            self.stderr.write(f"The {exited} process stopped, so everything was stopped.")
            sys.exit(1)

    @staticmethod
    def _wait_until_web_answers(host, port, children, stopping):
        """Until /healthz answers (so the banner comes after the servers' own start-up lines),
        a child exits, Ctrl-C, or READY_WAIT_SECONDS pass."""
        local = "127.0.0.1" if host in WILDCARD_HOSTS else host.strip("[]")
        url = f"http://{'[' + local + ']' if ':' in local else local}:{port}/healthz"
        deadline = time.monotonic() + READY_WAIT_SECONDS
        while time.monotonic() < deadline and not stopping():
            if any(process.poll() is not None for process in children.values()):
                return
            try:
                with urllib.request.urlopen(url, timeout=2):
                    return
            except urllib.error.HTTPError:
                return  # it answered (an unhealthy database is the health check's news)
            except (urllib.error.URLError, OSError):
                time.sleep(0.2)
