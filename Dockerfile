# The one image for both the web server and the worker (docker-compose.yml picks the command).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/data \
    IMPORT_UPLOAD_DIR=/data/uploads

WORKDIR /app
# DejaVu Sans draws the text of a shared Wrapped's preview picture (adminui/wrapped_card.py).
RUN apt-get update && apt-get install -y --no-install-recommends fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
RUN useradd --create-home --uid 10001 app \
    && mkdir -p /data/uploads \
    && chown -R app:app /data

COPY requirements.txt ./
RUN pip install -r requirements.txt

COPY . .
# Static files are collected at build time and served by whitenoise; no secret is needed for it.
RUN python manage.py collectstatic --no-input --verbosity 0

USER app
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status != 200)"]

# Apply migrations (which also upserts the worker's schedules), then serve: gunicorn reads every
# setting (threaded workers, limits, the masked access log) from /app/gunicorn.conf.py.
CMD ["sh", "-c", "python manage.py migrate --no-input && exec gunicorn"]
