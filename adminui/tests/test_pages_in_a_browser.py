"""The pages in a real browser (headless Chromium): an operator logs in, uploads an export,
watches its progress reach 100% while the django-q2 worker imports it, and opens every page; a
listener logs in with Spotify (the stand-in) on a phone, imports their export and sees the whole
history on their first visit to their page.

Set SCREENSHOTS_DIR (e.g. `SCREENSHOTS_DIR=docs/screenshots`) to keep the screenshots these tests
take, at 1280 px (`name.png`) and 360 px (`name-360.png`): that is how the README's pictures are
made. BROWSER_TEST_RECORDS sets the size of the operator's export (20,000 rows by default; the
README's pictures are of 200,000).
"""

import csv
import os
import shutil
import signal
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Listener
from adminui.tests.conftest import add_plays
from benchmarks.synthetic import build_synthetic_export
from imports.models import ImportJob
from mcp.tokens import active_tokens, authenticate
from plays import queries
from plays.models import Play
from spotify_standin import StandinServer

REPO = Path(__file__).resolve().parents[2]
PASSWORD = "browser-staff-password-7"
RECORDS = int(os.environ.get("BROWSER_TEST_RECORDS", "20000"))
WIDTH, HEIGHT = 1280, 900
PHONE = 360

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def shots(tmp_path):
    """`shot(page, name)` saves a full-page screenshot, and keeps it in SCREENSHOTS_DIR if set."""
    keep = os.environ.get("SCREENSHOTS_DIR")
    taken = []

    def shot(page, name, *, phone_too=False):
        names = [(name, WIDTH)] + ([(f"{name}-{PHONE}", PHONE)] if phone_too else [])
        width = page.viewport_size["width"]
        for file_name, shown_at in names:
            page.set_viewport_size({"width": shown_at, "height": HEIGHT})
            path = tmp_path / f"{file_name}.png"
            page.screenshot(path=str(path), full_page=True)
            taken.append(path)
            if keep:
                Path(keep).mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, Path(keep) / path.name)
        page.set_viewport_size({"width": width, "height": HEIGHT})

    shot.taken = taken
    return shot


@pytest.fixture
def worker(subprocess_env, upload_dir):
    """A django-q2 cluster (`manage.py qcluster`, as in production) on the test database."""
    env = {**subprocess_env, "IMPORT_UPLOAD_DIR": str(upload_dir), "WORKER_PROCESSES": "1"}
    process = subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    yield process
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()


def log_in(page, base_url):
    page.goto(f"{base_url}/")
    page.wait_for_url(f"{base_url}/login?next=/")
    page.fill("#id_username", "operator")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}/")


def test_an_operator_uploads_an_export_watches_it_finish_and_opens_every_page(
    live_server, chromium, worker, shots, tmp_path
):
    get_user_model().objects.create_user("operator", password=PASSWORD, is_staff=True)
    dana = Listener.objects.create(
        spotify_user_id="dana", display_name="Dana", time_zone="Europe/Berlin"
    )
    # Polling collected her last days; the export covers years long past: a hole between them.
    add_plays(dana, 50, start=timezone.now() - timedelta(days=3), source=Play.Source.API)
    Listener.objects.create(
        spotify_user_id="erik", display_name="Erik", status=Listener.Status.NEEDS_REAUTH
    )
    export = tmp_path / "my_spotify_data.zip"
    build_synthetic_export(export, records=RECORDS, seed=7, start_year=2015)
    base = live_server.url
    seen = {}

    with chromium() as page:
        page.set_viewport_size({"width": WIDTH, "height": HEIGHT})
        # The first page after a big import brings the rollups up to date: on a busy machine
        # that can take longer than Playwright's default 30 s (a limit of patience, not a speed
        # this test asserts).
        page.set_default_timeout(120_000)
        requested = []
        page.on("request", lambda request: requested.append(request.url))
        log_in(page, base)

        page.goto(f"{base}/imports")
        page.select_option("#id_listener", "dana")
        page.set_input_files("#id_file", str(export))
        page.click("#upload-form button[type=submit]")
        page.wait_for_url(f"{base}/imports")
        row = page.locator("tr[data-job]").first
        seen["queued"] = row.get_attribute("data-finished")
        # No reload from here on: the page's script follows the job until it has finished.
        row.locator('[data-field="records"]').filter(has_text="(100%)").wait_for(timeout=120_000)
        seen["progress"] = row.locator('[data-field="records"]').inner_text()
        seen["status"] = row.locator('[data-field="status"]').inner_text()
        seen["bar"] = row.locator(".progress").get_attribute("aria-valuenow")
        shots(page, "imports", phone_too=True)

        page.goto(f"{base}/")
        seen["dashboard"] = page.locator("#listeners").inner_text()
        shots(page, "dashboard", phone_too=True)

        page.click("text=dana")
        page.wait_for_url(f"{base}/listeners/dana")
        seen["period"] = page.locator("#listening h2").inner_text()
        seen["bars"] = page.locator("#timeline-chart rect").count()
        seen["artists"] = page.locator("#top-artists li").count()
        seen["heatmap"] = page.locator("#heatmap-chart rect").count()
        seen["gaps"] = page.locator("#coverage ~ .gaps-box").inner_text()
        shots(page, "listener", phone_too=True)
        page.select_option("#id_year", "2015")  # submits the year form
        page.wait_for_url(f"{base}/listeners/dana?year=2015")
        seen["year"] = page.locator("#listening h2").inner_text()

        for path, name in [("/jobs", "jobs"), ("/logs", "logs")]:
            page.goto(f"{base}{path}")
            seen[name] = page.locator("h1").inner_text()
            shots(page, name)
        page.goto(f"{base}/admin/db/")
        seen["admin"] = page.title()

        page.goto(f"{base}/")
        page.click("text=Log out")
        page.wait_for_url(f"{base}/login")

    job = ImportJob.objects.get()
    assert job.status in ("succeeded", "succeeded_with_warnings")
    assert Play.objects.filter(listener=dana, source="extended").count() == job.inserted > 0
    assert seen["queued"] == "0"
    # Updated by the page's script, with thousands separators like the server's.
    assert seen["progress"] == f"{job.records_done:,} / {job.records_done:,} records (100%)"
    assert seen["bar"] == "100"
    assert seen["status"] == job.get_status_display()
    # Problems first: erik must log in again, dana is fine.
    assert seen["dashboard"].index("erik") < seen["dashboard"].index("dana")
    # The listener's page opens on the whole history, and shows the hole in it.
    assert seen["period"] == "Listening: All time"
    assert seen["bars"] > 50 and seen["artists"] == 10 and seen["heatmap"] == 7 * 24
    assert "gap" in seen["dashboard"] and "gap" in seen["gaps"]
    assert seen["year"] == "Listening: 2015"
    assert (seen["jobs"], seen["logs"]) == ("Jobs", "Logs")
    assert "Django" in seen["admin"] or "administration" in seen["admin"].lower()
    assert [url for url in requested if not url.startswith(base)] == []


@pytest.fixture
def standin():
    with StandinServer("127.0.0.1", 0, client_id="pages-client", client_secret="s3") as server:
        server.state.authorize_as("fiona")
        yield server


@pytest.fixture
def app(live_server, settings, standin):
    """The live server pointed at the Spotify stand-in (set before the worker reads settings)."""
    settings.SPOTIFY_ACCOUNTS_BASE_URL = standin.url
    settings.SPOTIFY_API_BASE_URL = standin.api_url
    settings.SPOTIFY_CLIENT_ID = "pages-client"
    settings.SPOTIFY_CLIENT_SECRET = "s3"
    settings.SPOTIFY_REDIRECT_URI = f"{live_server.url}/auth/callback"
    return live_server


@pytest.fixture
def collecting_app(app, worker):
    return app


def test_a_listener_on_a_phone_imports_their_export_and_sees_it_all_on_their_first_visit(
    collecting_app, chromium, shots, tmp_path
):
    other = Listener.objects.create(spotify_user_id="gustav", display_name="Gustav")
    export = tmp_path / "my_spotify_data.zip"
    summary = build_synthetic_export(export, records=5_000, seed=3, start_year=2019)
    base = collecting_app.url
    seen = {}

    with chromium() as page:
        page.set_viewport_size({"width": PHONE, "height": HEIGHT})
        page.goto(f"{base}/auth/login")
        page.wait_for_url(f"{base}/auth/connected")
        page.click("#open-my-page")
        page.wait_for_url(f"{base}/me")

        page.set_input_files("#id_file", str(export))
        page.click("#upload-form button[type=submit]")
        page.wait_for_url(f"{base}/me#imports")
        row = page.locator("tr[data-job]").first
        row.locator('[data-field="records"]').filter(has_text="(100%)").wait_for(timeout=120_000)

        # The first visit after the import: no period picked, the whole history shown.
        page.goto(f"{base}/me")
        seen["heading"] = page.locator("h1").inner_text()
        seen["period"] = page.locator("#listening h2").inner_text()
        seen["totals"] = page.locator("#period-totals").inner_text()
        seen["labels"] = page.locator("#timeline-chart-narrow text.label").evaluate_all(
            "labels => labels.map(label => label.textContent)"
        )
        seen["narrow_shown"] = page.locator("#timeline-chart-narrow").is_visible()
        seen["width"] = page.evaluate("document.documentElement.scrollWidth")
        seen["html"] = page.content()
        shots(page, "me", phone_too=True)
        page.locator("#top-artists a").first.click()
        page.wait_for_url(f"{base}/me/artists/*")
        seen["artist"] = page.locator("h1").inner_text()
        seen["artist_chart"] = page.locator("#item-chart-narrow rect").count()
        shots(page, "artist", phone_too=True)

        page.goto(f"{base}/me")
        page.fill("#id_name", "Claude Desktop")
        page.click("text=Create an MCP token")
        page.wait_for_url(f"{base}/me/tokens/new")
        seen["secret"] = page.locator("#new-token").inner_text()
        seen["configs"] = page.locator("#client-configs").inner_text()
        page.reload()  # post/redirect/get: a reload shows no secret and creates no token
        seen["reloaded"] = page.content()
        page.click("text=Back to the tokens")
        page.wait_for_url(f"{base}/me#tokens-card")
        seen["after"] = page.content()

        # The history goes out again: a CSV download from the export card, on a phone too.
        page.select_option("#id_export_format", "csv")
        with page.expect_download() as download:
            page.click("#export-form button[type=submit]")
        saved = tmp_path / download.value.suggested_filename
        download.value.save_as(saved)
        seen["download"] = saved
        for width in (360, 1280):
            page.set_viewport_size({"width": width, "height": HEIGHT})
            page.goto(f"{base}/me#export")
            seen[f"overflow_{width}"] = page.evaluate(
                "document.documentElement.scrollWidth - document.documentElement.clientWidth"
            )
            page.locator("#export").screenshot(path=str(tmp_path / f"me-export-{width}.png"))
        page.set_viewport_size({"width": WIDTH, "height": HEIGHT})

        page.goto(f"{base}/")  # an operator page
        seen["operator_url"] = page.url
        page.goto(f"{base}/listeners/gustav")
        seen["other_url"] = page.url

    fiona = Listener.objects.get(spotify_user_id="fiona")
    assert seen["heading"] == (fiona.display_name or "fiona")
    everything = queries.listening_summary(fiona)
    assert seen["period"] == "Listening: All time"
    assert seen["totals"].startswith(f"{everything['plays']:,} plays")
    assert everything["plays"] > 4000  # the export's, not just the stand-in's last 50
    # The chart starts with the export's first month (the stand-in's plays are of today).
    first = datetime.fromtimestamp(summary.first_played_at, UTC)
    assert seen["labels"][0] == f"{first:%Y-%m}" and seen["narrow_shown"]
    assert seen["width"] <= PHONE
    assert seen["artist"] and seen["artist_chart"] > 0
    assert "gustav" not in seen["html"].lower() and other.display_name not in seen["html"]
    [token] = active_tokens(fiona)
    assert authenticate(seen["secret"]) == token
    assert seen["secret"] in seen["configs"]
    assert "This token was shown already" in seen["reloaded"]
    assert seen["secret"] not in seen["reloaded"]
    assert seen["secret"] not in seen["after"] and token.prefix in seen["after"]
    assert ImportJob.objects.get().listener == fiona
    assert seen["download"].name.startswith("spotify-history-fiona-")
    with seen["download"].open(encoding="utf-8-sig", newline="") as csv_file:
        assert len(list(csv.reader(csv_file))) == Play.objects.filter(listener=fiona).count() + 1
    assert (seen["overflow_360"], seen["overflow_1280"]) == (0, 0)
    # The listener's session opens no operator page.
    assert seen["operator_url"] == f"{base}/login?next=/"
    assert seen["other_url"] == f"{base}/login?next=/listeners/gustav"
