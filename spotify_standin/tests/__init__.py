"""Tests of the Spotify stand-in; each starts real servers on 127.0.0.1 and talks HTTP."""
