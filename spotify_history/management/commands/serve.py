"""Runs the web server and the background worker together, for a one-machine set-up.

`make run` uses this so that a fresh checkout collects, imports and answers with one command.
Production runs the two as separate containers (see docker-compose.yml); this command is the
same pair, supervised: if either stops, the other is stopped too, and Ctrl-C stops both.
"""

import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the web server and the django-q2 worker together (local, one-machine use)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, host, port, **options):
        manage = [sys.executable, str(settings.BASE_DIR / "manage.py")]
        children = {
            "worker": subprocess.Popen([*manage, "qcluster"]),
            "web": subprocess.Popen([*manage, "runserver", "--noreload", f"{host}:{port}"]),
        }
        stopping = False

        def stop(signum, frame):
            nonlocal stopping
            stopping = True

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"Serving http://{host}:{port}/ with a worker. Ctrl-C stops both.")
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
