"""Command line entry point: ``python -m spotify_standin --port 8765``.

Starts the stand-in in the foreground, prints one line with its address and the settings
that point the app at it, and stops cleanly on Ctrl-C or SIGTERM.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys

from .catalogue import parse_time_ms
from .server import StandinServer
from .state import DEFAULT_USER


def _time(value: str) -> int:
    try:
        return parse_time_ms(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not an ISO-8601 time: {value!r}") from None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m spotify_standin",
        description="Local stand-in for Spotify's Accounts service and Web API.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (127.0.0.1)")
    parser.add_argument("--port", type=int, default=8765, help="port; 0 picks a free one")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay for every API answer")
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        help="fraction of Web API requests answered 429 (half) or 503 (half), seeded by --seed",
    )
    parser.add_argument(
        "--fault-retry-after", type=int, default=30, help="Retry-After of random 429s (s)"
    )
    parser.add_argument("--client-id", help="only accept this client id (default: any)")
    parser.add_argument("--client-secret", help="only accept this client secret")
    parser.add_argument("--user", default=DEFAULT_USER, help="listener /authorize approves as")
    parser.add_argument(
        "--rotate-refresh-tokens",
        action="store_true",
        help="return a new refresh token on every refresh (the old one stops working)",
    )
    parser.add_argument(
        "--allow-insecure-redirects",
        action="store_true",
        help="accept plain-HTTP redirect URIs to any host (Spotify allows loopback IPs only)",
    )
    parser.add_argument("--access-token-ttl", type=int, default=3600, help="seconds")
    parser.add_argument("--plays-per-user", type=int, default=120, help="generated history")
    parser.add_argument("--seed", type=int, default=0, help="seed of the generated data")
    parser.add_argument(
        "--now", type=_time, help="ISO-8601 time generated histories end at (default: start)"
    )
    parser.add_argument("--verbose", action="store_true", help="log each request to stderr")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    server = StandinServer(
        args.host,
        args.port,
        verbose=args.verbose,
        seed=args.seed,
        now=args.now,
        default_user=args.user,
        plays_per_user=args.plays_per_user,
        client_id=args.client_id,
        client_secret=args.client_secret,
        rotate_refresh_tokens=args.rotate_refresh_tokens,
        access_token_ttl=args.access_token_ttl,
        latency_ms=args.latency_ms,
        fault_rate=args.fault_rate,
        fault_retry_after=args.fault_retry_after,
        allow_insecure_redirects=args.allow_insecure_redirects,
    )
    print(
        f"spotify-standin listening on {server.url}; point the app at it with: "
        f"SPOTIFY_ACCOUNTS_BASE_URL={server.url} SPOTIFY_API_BASE_URL={server.api_url}",
        flush=True,
    )

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, interrupt)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()
    print("spotify-standin stopped", file=sys.stderr, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
