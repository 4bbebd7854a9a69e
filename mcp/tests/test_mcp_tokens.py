"""MCP tokens: random, shown once, stored only as a hash, revocable, with their last use."""

import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import Listener
from mcp import tokens
from mcp.models import McpToken

pytestmark = pytest.mark.django_db


def test_a_new_token_is_returned_once_and_only_its_hash_is_stored(listener):
    token, secret = tokens.issue_token(listener, name="Claude")
    assert secret.startswith("shm_")
    assert len(secret) >= 40
    stored = McpToken.objects.get(pk=token.pk)
    assert stored.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.prefix == secret[:10]
    assert stored.name == "Claude"
    assert stored.last_used_at is None
    row = McpToken.objects.filter(pk=token.pk).values().get()
    assert secret not in {str(value) for value in row.values()}


def test_every_token_is_different(listener, settings):
    settings.MCP_MAX_TOKENS_PER_LISTENER = 20
    secrets = {tokens.issue_token(listener)[1] for _ in range(20)}
    assert len(secrets) == 20


def test_authenticate_finds_the_token_and_records_its_use(listener):
    token, secret = tokens.issue_token(listener)
    found = tokens.authenticate(secret)
    assert found == token
    assert found.listener == listener
    token.refresh_from_db()
    assert token.last_used_at is not None
    assert abs(timezone.now() - token.last_used_at) < timedelta(seconds=5)


def test_last_use_is_written_again_once_it_is_older_than_the_resolution(listener):
    token, secret = tokens.issue_token(listener)
    long_ago = timezone.now() - timedelta(days=3)
    McpToken.objects.filter(pk=token.pk).update(last_used_at=long_ago)
    tokens.authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at > long_ago + timedelta(days=2)


def test_a_burst_of_calls_writes_last_use_once(listener, django_assert_num_queries):
    _, secret = tokens.issue_token(listener)
    tokens.authenticate(secret)
    with django_assert_num_queries(1):  # the lookup only; last_used_at was just written
        assert tokens.authenticate(secret) is not None


@pytest.mark.parametrize("secret", ["", "shm_", "shm_wrong", "not-even-the-prefix", None, 42])
def test_a_wrong_secret_authenticates_nobody(listener, secret):
    tokens.issue_token(listener)
    assert tokens.authenticate(secret) is None


def test_a_revoked_token_no_longer_authenticates_and_leaves_the_active_list(listener):
    token, secret = tokens.issue_token(listener)
    other, _ = tokens.issue_token(listener)
    tokens.revoke_token(token)
    assert token.revoked_at is not None
    assert tokens.authenticate(secret) is None
    assert list(tokens.active_tokens(listener)) == [other]


def test_revoking_twice_keeps_the_first_revocation_time(listener):
    token, _ = tokens.issue_token(listener)
    tokens.revoke_token(token)
    first = token.revoked_at
    tokens.revoke_token(token)
    assert token.revoked_at == first


def test_active_tokens_are_the_listeners_own_newest_first(listener):
    bob = Listener.objects.create(spotify_user_id="bob")
    older, _ = tokens.issue_token(listener, name="older")
    newer, _ = tokens.issue_token(listener, name="newer")
    tokens.issue_token(bob)
    assert list(tokens.active_tokens(listener)) == [newer, older]


def test_deleting_a_listener_deletes_their_tokens(listener):
    _, secret = tokens.issue_token(listener)
    listener.delete()
    assert McpToken.objects.count() == 0
    assert tokens.authenticate(secret) is None


def test_a_long_name_is_cut_to_fit(listener):
    token, _ = tokens.issue_token(listener, name="  " + "n" * 150 + " ")
    assert token.name == "n" * 100
