"""A local stand-in for Spotify's Accounts service and Web API, for development and tests.

It serves ``/authorize``, ``/api/token``, ``/v1/me`` and ``/v1/me/player/recently-played``
with Spotify's semantics and error shapes, over a deterministic fake history, plus a control
API (``/_control/...``) for seeding listeners, minting tokens and injecting faults. Standard
library only. See docs/spotify-standin.md.
"""

from .server import StandinServer
from .state import StandinState

__all__ = ["StandinServer", "StandinState"]
