"""gunicorn's settings for the web service, in the one place every start reads them.

gunicorn reads `gunicorn.conf.py` from its working directory, so `gunicorn` alone, run from the
repository (or /app in the image), serves the project: the Dockerfile, docker-compose.yml and the
README all start it that way. Command-line flags override these values (the tests add `--bind`).

Slow clients: a `sync` worker is held for the whole of a request, so a few clients that declare a
body and send it slowly (or never) would hold every worker. A `gthread` worker waits for a new
connection's first bytes in its event loop, without using a thread, and serves each request in one
of its threads: a slow body holds one thread, not the worker, and the other threads (and workers)
go on answering. That is headroom, not a cure: the TLS proxy in front must buffer request bodies
and time out slow clients (README, "Reverse proxy"), which it does without a thread per client.

Memory: the web container is sized for 512 MB. One worker process of this project serves pages,
the admin API and MCP in about 80 MB, the master in about 27 MB (measured: docs/security.md,
"Slow clients"); threads share their process's memory. Two workers of 16 threads each stay well
within 512 MB, keep 32 requests in progress at once, and open at most 16 PostgreSQL connections
(a pool of 8 per process, below; 32 with DATABASE_POOL=false, one per busy thread).
"""

import os

# On PostgreSQL each worker process borrows connections from a pool of DATABASE_POOL_MAX_SIZE
# (8) instead of holding one per thread: in the load run of docs/operations.md ("Connection
# pooling") it served more requests per second with half the connections. The settings read it
# when a worker imports the app, after this file ran; DATABASE_POOL=false in the environment wins.
os.environ.setdefault("DATABASE_POOL", "true")

wsgi_app = "spotify_history.wsgi:application"
bind = ["0.0.0.0:8000"]

worker_class = "gthread"
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("WEB_THREADS", "16"))
# Recycle a worker now and then so slow memory growth never reaches the container's limit.
max_requests = 2000
max_requests_jitter = 200

# A gthread worker keeps beating while its threads work, so `timeout` only catches a stuck worker
# (a long upload does not trip it); stopping waits `graceful_timeout` for requests in progress.
timeout = 30
graceful_timeout = 30
# Behind the proxy, idle kept-alive connections wait in the event loop, not in a thread.
keepalive = 5

# Request line and headers: the longest real URL is the OAuth callback (~400 bytes).
limit_request_line = 4094
limit_request_fields = 50
limit_request_field_size = 8190

# The heartbeat file in memory, not on the container's overlay disk (gunicorn's Docker advice).
worker_tmp_dir = "/dev/shm" if os.path.isdir("/dev/shm") else None  # noqa: S108

# One line per request on stdout, with OAuth codes, states and tokens masked.
accesslog = "-"
errorlog = "-"
logger_class = "spotify_history.access_log.RedactingLogger"
