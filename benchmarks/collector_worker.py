"""One collector worker process for `benchmark_collector`: runs the scheduled pass when told.

Production runs `plays.tasks.poll_due_listeners` (the every-minute "poll-spotify" schedule) in
django-q2 worker processes; with several workers, passes overlap and the listeners are shared out
by the poller's per-listener claim. This process runs that same function, once: it sets Django
up, says "ready", waits for "go" on standard input (so every worker starts together), runs the
pass and prints one JSON line with how many listeners it polled and how long it took.

    python -m benchmarks.collector_worker   # environment: DATABASE_URL, SPOTIFY_*_BASE_URL
"""

import json
import os
import sys
import time


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "spotify_history.settings")
    import django

    django.setup()
    from plays.tasks import poll_due_listeners

    print("ready", flush=True)
    # The pass logs to standard output; send that to standard error instead, so the parent
    # reads only this process's one result line and a chatty pass can't fill the pipe.
    result = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    if sys.stdin.readline().strip() != "go":
        return 1
    started = time.perf_counter()
    polled = poll_due_listeners()
    result.write(json.dumps({"polled": polled, "seconds": time.perf_counter() - started}) + "\n")
    result.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
