"""Fixtures: stand-in servers on 127.0.0.1 with a free port, stopped after each test."""

from __future__ import annotations

import pytest

from spotify_standin import StandinServer

from .support import NOW


@pytest.fixture
def make_standin():
    """Start a stand-in with the given options (``now`` fixed unless given)."""
    started = []

    def make(**options) -> StandinServer:
        server = StandinServer("127.0.0.1", 0, **{"now": NOW, **options}).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.stop()


@pytest.fixture
def standin(make_standin) -> StandinServer:
    return make_standin()


@pytest.fixture
def tokens(standin) -> dict:
    """Freshly minted tokens for the default listener."""
    return standin.state.mint_tokens("demo-listener")
