"""Measures what hiding or showing an artist again costs the listener's next question.

Hiding an artist changes every rollup that leaves the hidden artists' plays out (PeriodTotal,
ItemDay, DayTotal, SessionBreak, SessionArtistDay, HiddenHourTotal); the next `ensure_fresh`
brings them up to date. This command hides, then shows again, the listener's most played artist
and a small one (the artist at rank `--small-rank`), timing `ensure_fresh` after each change and
the parts of it. Run it against a copy of a benchmark database (it leaves the hidden artists as
they were, but rebuilds rollups):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/sh_bench_copy \\
        python manage.py benchmark_hidden --listener benchmark-mcp
"""

import os
import time
from functools import wraps

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Sum

from accounts.models import Listener
from plays import day_rollups, period_rollups, rollups, session_breaks
from plays.models import ExcludedArtist, ItemTotal

# The parts of a rebuild timed separately: (module, function name).
_PARTS = [
    (rollups._Builder, "rebuild_hidden_hours"),
    (rollups._Builder, "rebuild_months"),
    (day_rollups, "rebuild_hidden"),
    (period_rollups, "rebuild"),
    (period_rollups, "rebuild_keys"),
    (session_breaks, "refresh"),
    (session_breaks, "refresh_hidden"),
]


class Command(BaseCommand):
    help = "Time ensure_fresh after hiding and showing again a big and a small artist."

    def add_arguments(self, parser):
        parser.add_argument("--listener", default="benchmark-mcp")
        parser.add_argument("--small-rank", type=int, default=200)

    def handle(self, *args, listener, small_rank, **options):
        who = Listener.objects.filter(spotify_user_id=listener).first()
        if who is None:
            raise CommandError(f"No listener {listener!r}.")
        if ExcludedArtist.objects.filter(listener=who).exists():
            raise CommandError("The listener hides artists already; use a fresh copy.")
        self.stdout.write(f"load average before: {os.getloadavg()}")
        rollups.ensure_fresh(who)
        ranked = list(
            ItemTotal.objects.filter(listener=who, item__primary_artist__isnull=False)
            .values("item__primary_artist_id")
            .annotate(n=Sum("plays"))
            .order_by("-n", "item__primary_artist_id")
            .values_list("item__primary_artist_id", "n")
        )
        spent = {}
        originals = []
        for owner, name in _PARTS:
            function = getattr(owner, name, None)
            if function is None:
                continue
            originals.append((owner, name, function))
            setattr(owner, name, _timed(function, f"{name}", spent))
        try:
            for artist_id, plays in (ranked[0], ranked[min(small_rank, len(ranked) - 1)]):
                for action in (_hide, _show):
                    action(who, artist_id)
                    spent.clear()
                    began = time.perf_counter()
                    rollups.ensure_fresh(who)
                    total = time.perf_counter() - began
                    parts = ", ".join(f"{k} {v:.2f}" for k, v in spent.items())
                    self.stdout.write(
                        f"{action.__name__[1:]} artist {artist_id} ({plays} plays): "
                        f"ensure_fresh {total:.2f} s ({parts})"
                    )
        finally:
            for owner, name, function in originals:
                setattr(owner, name, function)
        self.stdout.write(f"load average after: {os.getloadavg()}")


def _hide(listener, artist_id):
    # As `plays.excluding.hide_artist` stores it, without queueing the worker's refresh: the
    # question below is what is measured.
    ExcludedArtist.objects.create(listener=listener, artist_id=artist_id)


def _show(listener, artist_id):
    ExcludedArtist.objects.filter(listener=listener, artist_id=artist_id).delete()


def _timed(function, label, spent):
    @wraps(function)
    def timed(*args, **kwargs):
        began = time.perf_counter()
        try:
            return function(*args, **kwargs)
        finally:
            spent[label] = spent.get(label, 0) + time.perf_counter() - began

    return timed
