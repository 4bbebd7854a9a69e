"""Signals the accounts app sends, so the layers above can act without accounts importing them."""

from django.dispatch import Signal

# Sent after a listener logged in with Spotify and was saved; `listener` is the Listener.
listener_connected = Signal()
