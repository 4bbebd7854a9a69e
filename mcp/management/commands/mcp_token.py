"""`manage.py mcp_token SPOTIFY_USER_ID [--name NAME]`: print a new MCP token for a listener.

For operators at a shell (or a listener's first token before the pages are set up). The secret
is printed once, to stdout only, and stored only as a hash; `--list` shows the listener's active
tokens by prefix and `--revoke PREFIX` revokes one.
"""

from django.core.management.base import BaseCommand, CommandError

from accounts.models import Listener
from mcp import setup, tokens


class Command(BaseCommand):
    help = "Create (print once), list or revoke a listener's MCP tokens."

    def add_arguments(self, parser):
        parser.add_argument("spotify_user_id")
        parser.add_argument("--name", default="", help="What the token is for, e.g. 'Claude'.")
        parser.add_argument(
            "--list", dest="list_tokens", action="store_true", help="List active tokens instead."
        )
        parser.add_argument("--revoke", metavar="PREFIX", help="Revoke the token with PREFIX.")
        parser.add_argument(
            "--base-url",
            default="",
            help="Public URL of this service (e.g. https://history.example.org): also print "
            "client configuration for it.",
        )

    def handle(self, *args, spotify_user_id, name, list_tokens, revoke, base_url, **options):
        listener = Listener.objects.filter(spotify_user_id=spotify_user_id).first()
        if listener is None:
            raise CommandError(f"No listener has the Spotify user id {spotify_user_id!r}.")
        if list_tokens:
            for token in tokens.active_tokens(listener):
                used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
                self.stdout.write(f"{token.prefix}…  {token.name or '-'}  last used {used}")
            return
        if revoke:
            token = tokens.active_tokens(listener).filter(prefix=revoke).first()
            if token is None:
                raise CommandError(f"{spotify_user_id} has no active token {revoke!r}.")
            tokens.revoke_token(token)
            self.stdout.write(f"Revoked {token.prefix}….")
            return
        try:
            token, secret = tokens.issue_token(listener, name=name)
        except tokens.TooManyTokens as refusal:
            raise CommandError(str(refusal)) from None
        self.stdout.write(secret)
        self.stderr.write(
            f"New MCP token {token.prefix}… for {spotify_user_id}: it is shown only this once."
        )
        if base_url:
            for config in setup.client_configs(base_url, secret):
                self.stdout.write(f"\n# {config['title']}: {config['instructions']}")
                self.stdout.write(config["text"])
