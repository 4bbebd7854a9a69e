"""Realistic synthetic Spotify exports, for benchmarks, demos and tests.

Real exports are personal data, so none are in this repository; this module writes ZIP files that
look like Spotify's in every way the importer cares about: the same folders, file names and file
sizes (about 15,000 rows a file), the same field names and value shapes (2-space indented JSON,
22-character base62 ids, platforms and reason codes of each era, IP addresses to be dropped), a
skewed listening pattern over a catalogue of thousands of tracks, podcast episodes, audiobook
chapters, local files, rows Spotify left without metadata, and exact duplicate rows. The same
seed always gives the same rows. Files are written one at a time, so the size of an export is
limited by the disk, not by memory.
"""

from __future__ import annotations

import bisect
import calendar
import itertools
import random
import string
import time
import zipfile
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from json.encoder import encode_basestring
from pathlib import Path
from urllib.parse import quote_plus

EXTENDED = "extended"
ACCOUNT_DATA = "account_data"

EXTENDED_FOLDER = "Spotify Extended Streaming History"
ACCOUNT_DATA_FOLDER = "Spotify Account Data"
EXTENDED_ROWS_PER_FILE = 15_000
ACCOUNT_DATA_ROWS_PER_FILE = 10_000
RECORDS_PER_YEAR = 25_000  # a keen listener; longer exports cover more years, at most 10

# Shares of rows (the rest are music tracks).
EPISODE_SHARE = 0.05
CHAPTER_SHARE = 0.005  # only in the last third of the history, as audiobooks are recent
NO_METADATA_SHARE = 0.005
LOCAL_FILE_SHARE = 0.002
VIDEO_SHARE = 0.01  # rows of Streaming_History_Video_* files (video podcasts and music videos)
DUPLICATE_SHARE = 0.002  # rows written twice in a row, as real exports sometimes do

BASE62 = string.digits + string.ascii_letters
DENSE_BELOW_SECONDS = 400  # average time between rows under which plays can't be whole
NEW_PLATFORM_NAMES_FROM = 1697673600  # 2023-10-19: Spotify began writing just "android" etc.

_EXTENDED_FIELDS = (
    "ts",
    "platform",
    "ms_played",
    "conn_country",
    "ip_addr",
    "master_metadata_track_name",
    "master_metadata_album_artist_name",
    "master_metadata_album_album_name",
    "spotify_track_uri",
    "episode_name",
    "episode_show_name",
    "spotify_episode_uri",
    "audiobook_title",
    "audiobook_uri",
    "audiobook_chapter_uri",
    "audiobook_chapter_title",
    "reason_start",
    "reason_end",
    "shuffle",
    "skipped",
    "offline",
    "offline_timestamp",
    "incognito_mode",
)


def _row_template(fields: tuple[str, ...]) -> str:
    """What json.dumps(row, indent=2) writes for one row inside the list, with %s for values."""
    return "  {\n" + ",\n".join(f'    "{name}": %s' for name in fields) + "\n  }"


_EXTENDED_ROW = _row_template(_EXTENDED_FIELDS)
_MUSIC_ROW = _row_template(("endTime", "artistName", "trackName", "msPlayed"))
_PODCAST_ROW = _row_template(("endTime", "podcastName", "episodeName", "msPlayed"))
_AUDIOBOOK_ROW = _row_template(("endTime", "audiobookName", "chapterName", "msPlayed"))

_NULL = "null"


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_JSON_BOOL = {True: "true", False: "false", None: _NULL}

_ADJECTIVES = _words(
    "Silver Midnight Electric Golden Quiet Neon Velvet Crimson Hollow Paper Wild Broken Distant "
    "Lucky Northern Slow Bright Glass Burning Secret Sleepy Lonely Cosmic Summer Winter Amber "
    "Restless Tender Faded Open Blue Little Endless Hidden Sweet Heavy Frozen Early Last"
)
_NOUNS = _words(
    "Harbor Echo Garden River Signal Mirror Engine Lantern Satellite Orchard Parade Tide Canyon "
    "Window Ghost Ocean Highway Forest Comet Radio Meadow City Fever Island Letters Machine Moon "
    "Season Stranger Thunder Valley Wire Youth Circus Daylight Kingdom Postcard Rooftop Weather"
)
_FIRST_NAMES = _words(
    "Ada Björn Chloé Dmitri Elif Finn Greta Hiro Inès Jonas Kenji Lena Mateo Nadia Oskar Priya "
    "Quentin Rosa Søren Tomás Uma Viktor Wen Ximena Yusuf Zoë Łukasz Ayşe Mārtiņš Aoife"
)
_LAST_NAMES = _words(
    "Andersen Brennan Castillo Dubois Eriksen Fischer García Haddad Ito Jansen Kowalski Lindqvist "
    "Moreau Nakamura O'Neill Petrov Quinn Rossi Schäfer Tanaka Urban Vargas Weber Yilmaz Zhou "
    "Ørsted"
)
_SUFFIXES = (
    "",
    "",
    "",
    "",
    "",
    " - Remastered 2011",
    " - Live",
    " - Radio Edit",
    " (Acoustic)",
    ' - From "The Long Night"',
    " {Demo}",
)
_COUNTRIES = ("DE", "AT", "FR", "NL", "ES", "IT", "GB", "US", "SE", "PL", "PT", "DK")
_REASONS_START = ("clickrow", "playbtn", "appload", "remote", "unknown", "trackerror", "")
_REASONS_START_WEIGHTS = (50, 20, 15, 8, 4, 2, 1)
_REASONS_END_FULL = ("trackdone", "endplay", "logout", "remote", "unexpected-exit")
_REASONS_END_FULL_WEIGHTS = (90, 5, 2, 2, 1)
_REASONS_END_SHORT = ("fwdbtn", "backbtn", "endplay", "unknown", "unexpected-exit-while-paused")
_REASONS_END_SHORT_WEIGHTS = (70, 10, 10, 6, 4)
_REASONS_END_ZERO = ("fwdbtn", "trackerror", "unexpected-exit-while-paused", "endplay", "unknown")
_REASONS_END_ZERO_WEIGHTS = (60, 15, 10, 10, 5)
_CONTINUING = ("trackdone", "fwdbtn", "backbtn")  # the next row starts with the same reason


@dataclass
class SyntheticSummary:
    """What `build_synthetic_export` wrote, for its command's output and for tests."""

    path: Path
    format: str
    records: int = 0  # rows written across all history files, duplicates included
    files: dict[str, int] = field(default_factory=dict)  # member name -> rows
    kinds: Counter = field(default_factory=Counter)  # track/episode/chapter/missing_name -> rows
    duplicates: int = 0  # rows that exactly repeat the row before them (never metadata-less ones)
    first_played_at: int = 0  # Unix seconds
    last_played_at: int = 0


def write_synthetic_export(
    path: str | Path,
    *,
    records: int,
    seed: int = 0,
    format: str = EXTENDED,
    start_year: int = 2015,
) -> Path:
    """Writes a synthetic export ZIP of `records` history rows to `path` and returns its path."""
    return build_synthetic_export(
        path, records=records, seed=seed, format=format, start_year=start_year
    ).path


def build_synthetic_export(
    path: str | Path,
    *,
    records: int,
    seed: int = 0,
    format: str = EXTENDED,
    start_year: int = 2015,
) -> SyntheticSummary:
    """`write_synthetic_export`, returning what was written.

    Extended exports cover up to ten years from `start_year` (a year per 25,000 records);
    account-data exports cover the year `start_year`, as Spotify's cover only the last year.
    """
    if records < 1:
        raise ValueError("records must be at least 1")
    if format not in (EXTENDED, ACCOUNT_DATA):
        raise ValueError(f"format must be {EXTENDED!r} or {ACCOUNT_DATA!r}, not {format!r}")
    rng = random.Random(seed)  # noqa: S311 - made-up data, not secrets
    catalogue = _Catalogue(rng)
    start = calendar.timegm((start_year, 1, 1, 0, 0, 0))
    years = 1 if format == ACCOUNT_DATA else min(10, -(-records // RECORDS_PER_YEAR))
    span = years * 365 * 86400
    listening = _Listening(rng, catalogue, records=records, start=start, span=span, format=format)
    summary = SyntheticSummary(path=Path(path), format=format)
    with _ExportZip(summary, created=start + span) as export:
        if format == EXTENDED:
            _write_extended(export, listening, rng, summary, records)
        else:
            _write_account_data(export, listening, rng, summary, records)
    return summary


# The catalogue


@dataclass(frozen=True)
class _Item:
    kind: str  # track, episode, chapter, local, none
    duration_ms: int
    fields: tuple[str, ...]  # JSON-encoded metadata values, in the order the row has them
    account_fields: tuple[str, str]  # JSON-encoded (artist/show/book, title) of account data
    video: bool = False


class _Catalogue:
    """Artists, albums and tracks, podcast shows and episodes, audiobooks and chapters."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.artists = [self._artist_tracks() for _ in range(400)]
        self.artist_weights = _zipf_cumulative(len(self.artists), 1.0)
        shows = [self._show(rank) for rank in range(60)]
        self.audio_shows = [show for show in shows if not show[0].video]
        self.video_shows = [show for show in shows if show[0].video]
        self.show_weights = _zipf_cumulative(len(self.audio_shows), 1.1)
        self.video_show_weights = _zipf_cumulative(len(self.video_shows), 1.1)
        self.chapters = [chapter for _ in range(4) for chapter in self._audiobook()]
        self.local_files = [self._local_file() for _ in range(40)]
        self.nothing = _Item("none", 200_000, (_NULL,) * 11, (_NULL, _NULL))

    def track(self) -> _Item:
        tracks, weights = self.artists[_pick(self.rng, self.artist_weights)]
        return tracks[_pick(self.rng, weights)]

    def episode(self, *, video: bool = False) -> _Item:
        shows, weights = (
            (self.video_shows, self.video_show_weights)
            if video
            else (self.audio_shows, self.show_weights)
        )
        episodes = shows[_pick(self.rng, weights)]
        return episodes[int(len(episodes) * self.rng.random() ** 3)]  # newer episodes more

    def _artist_tracks(self) -> tuple[list[_Item], list[float]]:
        rng = self.rng
        artist = self._artist_name()
        tracks = []
        for _ in range(rng.randint(1, 4)):
            album = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
            for _ in range(rng.randint(3, 12)):
                title = self._title() + rng.choice(_SUFFIXES)
                duration = rng.randint(95_000, 420_000)
                metadata = (_json(title), _json(artist), _json(album), _uri("track", rng))
                tracks.append(
                    _Item(
                        "track",
                        duration,
                        metadata + (_NULL,) * 7,
                        (_json(artist), _json(title)),
                    )
                )
        rng.shuffle(tracks)
        return tracks, _zipf_cumulative(len(tracks), 0.8)

    def _show(self, rank: int) -> list[_Item]:
        rng = self.rng
        show = f"The {rng.choice(_NOUNS)} {rng.choice(('Podcast', 'Hour', 'Show', 'Talk'))}"
        video = rank % 6 == 5
        episodes = []
        for number in range(1, rng.randint(10, 60)):
            title = f"#{number}: {self._title()}"
            metadata = (_json(title), _json(show), _uri("episode", rng))
            episodes.append(
                _Item(
                    "episode",
                    rng.randint(900_000, 5_400_000),
                    (_NULL,) * 4 + metadata + (_NULL,) * 4,
                    (_json(show), _json(title)),
                    video=video,
                )
            )
        return episodes

    def _audiobook(self) -> list[_Item]:
        rng = self.rng
        book = f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}: A Novel"
        book_uri = _uri("show", rng)
        chapters = []
        for number in range(1, rng.randint(15, 40)):
            title = f"Chapter {number}"
            metadata = (_json(book), book_uri, _uri("episode", rng), _json(title))
            chapters.append(
                _Item(
                    "chapter",
                    rng.randint(600_000, 2_400_000),
                    (_NULL,) * 7 + metadata,
                    (_json(book), _json(title)),
                )
            )
        return chapters

    def _local_file(self) -> _Item:
        rng = self.rng
        artist, album, title = self._artist_name(), rng.choice(_NOUNS), self._title()
        seconds = rng.randint(120, 400)
        uri = ":".join(["spotify:local", *(quote_plus(part) for part in (artist, album, title))])
        metadata = (_json(title), _json(artist), _json(album), _json(f"{uri}:{seconds}"))
        return _Item("local", seconds * 1000, metadata + (_NULL,) * 7, (_NULL, _NULL))

    def _artist_name(self) -> str:
        rng = self.rng
        shape = rng.random()
        if shape < 0.4:
            return f"{rng.choice(_FIRST_NAMES)} {rng.choice(_LAST_NAMES)}"
        if shape < 0.7:
            return f"The {rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}s"
        return f"{rng.choice(_NOUNS)} {rng.choice(('&', 'and', 'of the'))} {rng.choice(_NOUNS)}"

    def _title(self) -> str:
        rng = self.rng
        if rng.random() < 0.5:
            return f"{rng.choice(_ADJECTIVES)} {rng.choice(_NOUNS)}"
        return f"{rng.choice(_NOUNS)} in the {rng.choice(_NOUNS)}"


def _zipf_cumulative(count: int, exponent: float) -> list[float]:
    return list(itertools.accumulate(1 / (rank + 1) ** exponent for rank in range(count)))


def _pick(rng: random.Random, cumulative: list[float]) -> int:
    return bisect.bisect(cumulative, rng.random() * cumulative[-1])


def _uri(kind: str, rng: random.Random) -> str:
    return f'"spotify:{kind}:{"".join(rng.choices(BASE62, k=22))}"'


def _json(text: str) -> str:
    return encode_basestring(text)  # raw UTF-8, as Spotify writes it


# Listening: one play after another, in sessions


@dataclass
class _Play:
    ts: int  # Unix seconds, when the play ended
    item: _Item
    ms_played: int
    session: _Session
    reason_start: str
    reason_end: str
    video: bool


@dataclass
class _Session:
    platform_device: int
    country: str
    ip_addr: str
    shuffle: bool
    offline: bool | None
    incognito: bool


class _Listening:
    """Plays in time order, spaced so `records` rows fill the time span."""

    def __init__(
        self,
        rng: random.Random,
        catalogue: _Catalogue,
        *,
        records: int,
        start: int,
        span: int,
        format: str,
    ):
        self.rng = rng
        self.catalogue = catalogue
        self.format = format
        self.start, self.span = start, span
        self.ts = start
        self.plays = 0
        self.mean_step = span / records
        self.chapters_from = start + span * 2 // 3
        self.session = self._new_session()
        self.next_reason_start = "clickrow"

    def __iter__(self) -> Iterator[_Play]:
        while True:
            yield self._next_play()

    def _next_play(self) -> _Play:
        rng = self.rng
        video = self.format == EXTENDED and rng.random() < VIDEO_SHARE
        item = self._item(video)
        ms_played = self._ms_played(item)
        self._advance(ms_played)
        reason_start = self.next_reason_start
        reason_end = self._reason_end(item, ms_played)
        self.next_reason_start = reason_end if reason_end in _CONTINUING else "clickrow"
        return _Play(self.ts, item, ms_played, self.session, reason_start, reason_end, video)

    def _item(self, video: bool) -> _Item:
        rng, catalogue = self.rng, self.catalogue
        if video:
            return catalogue.episode(video=True) if rng.random() < 0.6 else catalogue.track()
        draw = rng.random()
        if draw < EPISODE_SHARE:
            return catalogue.episode()
        draw -= EPISODE_SHARE
        if draw < NO_METADATA_SHARE:
            return catalogue.nothing
        draw -= NO_METADATA_SHARE
        if draw < LOCAL_FILE_SHARE and self.format == EXTENDED:
            return rng.choice(catalogue.local_files)
        draw -= LOCAL_FILE_SHARE
        if draw < CHAPTER_SHARE * 3 and self.ts >= self.chapters_from:
            return rng.choice(catalogue.chapters)
        return catalogue.track()

    def _ms_played(self, item: _Item) -> int:
        draw = self.rng.random()
        if draw < 0.03:
            return 0
        if draw < 0.17:
            return self.rng.randint(1, 29_999)
        if draw < 0.27:
            return self.rng.randint(30_000, item.duration_ms)
        return int(item.duration_ms * self.rng.uniform(0.97, 1.0))

    def _advance(self, ms_played: int) -> None:
        """Moves the clock to the end of the next play, always at least a second on.

        Plays follow each other in sessions; each break between sessions is as long as it takes
        to keep to the schedule that ends the history at the end of its time span. When there
        are too many rows for whole plays to fit, plays are simply spread out evenly.
        """
        rng = self.rng
        self.plays += 1
        if self.mean_step < DENSE_BELOW_SECONDS:
            self.ts += max(1, round(rng.expovariate(1 / self.mean_step)))
            if rng.random() < 0.05:
                self.session = self._new_session()
            return
        step = max(1, ms_played // 1000) + rng.randint(0, 3)
        if rng.random() < 0.08:
            behind_schedule = self.start + self.plays * self.mean_step - (self.ts + step)
            step += 300 + round(max(0, behind_schedule) * rng.uniform(0.5, 1.5))
            self.session = self._new_session()
            self.next_reason_start = rng.choices(_REASONS_START, _REASONS_START_WEIGHTS)[0]
        self.ts += step

    def _reason_end(self, item: _Item, ms_played: int) -> str:
        rng = self.rng
        if ms_played == 0:
            return rng.choices(_REASONS_END_ZERO, _REASONS_END_ZERO_WEIGHTS)[0]
        if ms_played < 30_000 or ms_played < item.duration_ms * 0.9:
            return rng.choices(_REASONS_END_SHORT, _REASONS_END_SHORT_WEIGHTS)[0]
        return rng.choices(_REASONS_END_FULL, _REASONS_END_FULL_WEIGHTS)[0]

    def _new_session(self) -> _Session:
        rng = self.rng
        offline = rng.random() < 0.03
        return _Session(
            platform_device=rng.choices(range(len(_DEVICES)), _DEVICE_WEIGHTS)[0],
            country="DE" if rng.random() < 0.93 else rng.choice(_COUNTRIES),
            ip_addr=rng.choice(_IP_ADDRESSES),
            shuffle=rng.random() < 0.4,
            offline=None if rng.random() < 0.1 else offline,
            incognito=rng.random() < 0.01,
        )


_IP_ADDRESSES = tuple(
    [f"192.0.2.{n}" for n in range(1, 40)]
    + [f"198.51.100.{n}" for n in range(1, 40)]
    + [f"203.0.113.{n}" for n in range(1, 40)]
    + [f"2001:db8::{n:x}" for n in range(1, 20)]
)  # documentation ranges, never anyone's address

_ANDROID_API_LEVELS = {4: 19, 5: 22, 6: 23, 7: 24, 8: 26, 9: 28, 10: 29, 11: 30, 12: 31, 13: 33}


def _android(year: int) -> str:
    version = max(4, min(13, year - 2010))
    return f"Android OS {version} API {_ANDROID_API_LEVELS[version]} (samsung, SM-G991B)"


def _windows(year: int) -> str:
    return f"Windows 10 (10.0.{10240 + max(0, year - 2015) * 1000}; x64)"


def _ios(year: int) -> str:
    return f"iOS {max(8, min(17, year - 2006))}.1 (iPhone{max(7, min(15, year - 2008))},2)"


def _osx(year: int) -> str:
    return f"OS X 10.{max(10, min(15, year - 2004))}.6 [x86 8]"


def _speaker(year: int) -> str:
    return "Partner sonos_ZPS23 Sonos One"


# (platform since late 2023, platform before then by year), by how often each is used
_DEVICES = (
    ("android", _android),
    ("windows", _windows),
    ("ios", _ios),
    ("osx", _osx),
    ("not_applicable", _speaker),
)
_DEVICE_WEIGHTS = (55, 15, 15, 8, 7)


def _platform(session: _Session, moment: time.struct_time, ts: int) -> str:
    new_name, old_name = _DEVICES[session.platform_device]
    return new_name if ts >= NEW_PLATFORM_NAMES_FROM else old_name(moment.tm_year)


# Rendering rows


def _extended_row(play: _Play) -> str:
    ts, session, item = play.ts, play.session, play.item
    moment = time.gmtime(ts)
    return _EXTENDED_ROW % (
        f'"{time.strftime("%Y-%m-%dT%H:%M:%SZ", moment)}"',
        _json(_platform(session, moment, ts)),
        play.ms_played,
        f'"{session.country}"',
        f'"{session.ip_addr}"',
        *item.fields,
        _json(play.reason_start),
        _json(play.reason_end),
        _JSON_BOOL[session.shuffle],
        _JSON_BOOL[_skipped(moment.tm_year, play.reason_end)],
        _JSON_BOOL[session.offline],
        _offline_timestamp(play, moment.tm_year),
        _JSON_BOOL[session.incognito],
    )


def _skipped(year: int, reason_end: str) -> bool | None:
    """Old files have null; 2016-2022 files always say false; newer ones mean it."""
    if year < 2016:
        return None
    return reason_end == "fwdbtn" if year >= 2023 else False


def _offline_timestamp(play: _Play, year: int) -> str:
    """Milliseconds (often 0) in old files, seconds in newer ones, sometimes null."""
    if play.session.offline is None:
        return _NULL
    if year < 2018:
        return str(play.ts * 1000 - play.ms_played) if play.session.offline else "0"
    return str(play.ts - play.ms_played // 1000)


def _account_data_row(play: _Play) -> tuple[str, str]:
    """(which file, row) of an account-data export."""
    item = play.item
    end_time = f'"{time.strftime("%Y-%m-%d %H:%M", time.gmtime(play.ts))}"'
    owner, title = item.account_fields
    if item.kind == "episode":
        return "podcast", _PODCAST_ROW % (end_time, owner, title, play.ms_played)
    if item.kind == "chapter":
        return "audiobook", _AUDIOBOOK_ROW % (end_time, owner, title, play.ms_played)
    return "music", _MUSIC_ROW % (end_time, owner, title, play.ms_played)


_KIND_AS_PARSED = {"local": "track", "none": "missing_name"}


# Writing the ZIP


class _ExportZip:
    """The ZIP being written, one member at a time, with fixed dates so it is reproducible."""

    def __init__(self, summary: SyntheticSummary, created: int):
        self.summary = summary
        self.date_time = time.gmtime(created)[:6]
        self.archive = zipfile.ZipFile(summary.path, "w")

    def write(self, name: str, data: bytes) -> None:
        info = zipfile.ZipInfo(name, self.date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        self.archive.writestr(info, data, compresslevel=6)

    def write_history(self, name: str, rows: list[str]) -> None:
        self.write(name, ("[\n" + ",\n".join(rows) + "\n]").encode())
        self.summary.files[name] = len(rows)

    def __enter__(self) -> _ExportZip:
        return self

    def __exit__(self, *exc_info) -> None:
        self.archive.close()


class _HistoryFiles:
    """Rows collected into files of one kind, each written once it is full."""

    def __init__(self, export: _ExportZip, name: str, rows_per_file: int, with_years: bool):
        self.export = export
        self.name = name  # e.g. "Spotify Extended Streaming History/Streaming_History_Audio"
        self.rows_per_file = rows_per_file
        self.with_years = with_years
        self.rows: list[str] = []
        self.first_ts = self.last_ts = 0
        self.number = 0

    def add(self, row: str, ts: int) -> None:
        if not self.rows:
            self.first_ts = ts
        self.rows.append(row)
        self.last_ts = ts
        if len(self.rows) >= self.rows_per_file:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        suffix = f"_{self.number}.json"
        if self.with_years:
            first, last = time.gmtime(self.first_ts).tm_year, time.gmtime(self.last_ts).tm_year
            suffix = f"_{first}{'' if first == last else f'-{last}'}{suffix}"
        self.export.write_history(self.name + suffix, self.rows)
        self.rows = []
        self.number += 1


def _write_rows(
    plays: _Listening,
    rng: random.Random,
    summary: SyntheticSummary,
    records: int,
    render: Callable[[_Play], tuple[_HistoryFiles, str]],
) -> None:
    """Renders `records` rows (duplicates included) and hands each to its file."""
    written = 0
    for play in plays:
        files, row = render(play)
        kind = _KIND_AS_PARSED.get(play.item.kind, play.item.kind)
        duplicate = rng.random() < DUPLICATE_SHARE and kind != "missing_name"
        copies = 2 if duplicate and written + 2 <= records else 1
        for _ in range(copies):
            files.add(row, play.ts)
        written += copies
        summary.kinds[kind] += copies
        summary.duplicates += copies - 1
        summary.first_played_at = summary.first_played_at or play.ts
        summary.last_played_at = play.ts
        if written >= records:
            break
    summary.records = written


def _write_extended(
    export: _ExportZip,
    plays: _Listening,
    rng: random.Random,
    summary: SyntheticSummary,
    records: int,
) -> None:
    audio = _HistoryFiles(
        export, f"{EXTENDED_FOLDER}/Streaming_History_Audio", EXTENDED_ROWS_PER_FILE, True
    )
    video = _HistoryFiles(
        export, f"{EXTENDED_FOLDER}/Streaming_History_Video", EXTENDED_ROWS_PER_FILE, True
    )
    _write_rows(
        plays,
        rng,
        summary,
        records,
        lambda play: (video if play.video else audio, _extended_row(play)),
    )
    audio.flush()
    video.flush()
    export.write(
        f"{EXTENDED_FOLDER}/ReadMeFirst_ExtendedStreamingHistory.pdf",
        b"%PDF-1.4\n% Synthetic stand-in for Spotify's read-me.\n%%EOF\n",
    )


def _write_account_data(
    export: _ExportZip,
    plays: _Listening,
    rng: random.Random,
    summary: SyntheticSummary,
    records: int,
) -> None:
    files = {
        kind: _HistoryFiles(
            export,
            f"{ACCOUNT_DATA_FOLDER}/StreamingHistory_{kind}",
            ACCOUNT_DATA_ROWS_PER_FILE,
            False,
        )
        for kind in ("music", "podcast", "audiobook")
    }
    minute_items: dict[int, set[tuple[str, str]]] = {}

    def render(play: _Play) -> tuple[_HistoryFiles, str]:
        # Account data knows an item only by its names, to the minute: two plays of one
        # (artist, title) in one minute would look like one play written twice, so the clock
        # moves on a minute instead.
        minute = play.ts // 60
        seen = minute_items.setdefault(minute, set())
        if play.item.account_fields in seen:
            play.ts = plays.ts = (minute + 1) * 60
            minute_items.clear()
            seen = minute_items.setdefault(minute + 1, set())
        elif len(minute_items) > 1:
            for old in [key for key in minute_items if key != minute]:
                del minute_items[old]
        seen.add(play.item.account_fields)
        kind, row = _account_data_row(play)
        return files[kind], row

    _write_rows(plays, rng, summary, records, render)
    for history in files.values():
        history.flush()
    export.write(
        f"{ACCOUNT_DATA_FOLDER}/Userdata.json",
        b'{\n  "username": "synthetic-listener",\n  "country": "DE",\n'
        b'  "email": "listener@example.org"\n}',
    )
    export.write(f"{ACCOUNT_DATA_FOLDER}/Read_Me_First.pdf", b"%PDF-1.4\n%%EOF\n")
