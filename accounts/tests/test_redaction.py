"""Secrets are masked in text and structured data before anything is logged."""

from cryptography.fernet import Fernet

from accounts.redaction import REDACTED, is_secret_key, redact_data, redact_text


def test_it_masks_bearer_and_basic_credentials():
    text = "GET /v1/me Authorization: Bearer BQDx1y2z-abc.def and Basic Y2xpZW50OnNlY3JldA=="
    masked = redact_text(text)
    assert "BQDx1y2z" not in masked
    assert "Y2xpZW50" not in masked
    assert masked.count(REDACTED) == 2


def test_it_masks_token_parameters_in_query_strings_and_forms():
    text = "grant_type=refresh_token&refresh_token=AQB-secret_value&client_secret=s3cr3t&code=xyz"
    masked = redact_text(text)
    for secret in ("AQB-secret_value", "s3cr3t", "xyz"):
        assert secret not in masked
    assert "grant_type=refresh_token" in masked


def test_it_masks_tokens_in_json_text():
    masked = redact_text('{"access_token": "BQA123", "token_type": "Bearer", "expires_in": 3600}')
    assert "BQA123" not in masked
    assert '"expires_in": 3600' in masked


def test_it_masks_fernet_keys_and_ciphertext():
    key = Fernet.generate_key().decode()
    ciphertext = Fernet(key).encrypt(b"refresh-token").decode()
    masked = redact_text(f"key {key} ciphertext {ciphertext}")
    assert key not in masked
    assert ciphertext not in masked


def test_it_leaves_ordinary_text_alone():
    text = "Polled alice: 12 fetched, 3 inserted, status=200, played_at=2024-05-06T18:43:00Z"
    assert redact_text(text) == text


def test_it_masks_secret_fields_in_nested_context():
    data = {
        "listener": "alice",
        "response": {"refresh_token": "AQB", "items": [{"password": "pw", "name": "Song"}]},
        "note": "sent Bearer abc.def",
        "count": 3,
    }
    assert redact_data(data) == {
        "listener": "alice",
        "response": {"refresh_token": REDACTED, "items": [{"password": REDACTED, "name": "Song"}]},
        "note": f"sent Bearer {REDACTED}",
        "count": 3,
    }


def test_it_recognises_secret_field_names():
    for name in ("access_token", "ADMIN_TOKEN", "client_secret", "Authorization", "code"):
        assert is_secret_key(name), name
    for name in ("listener", "status_code", "played_at", "inserted"):
        assert not is_secret_key(name), name


def test_it_masks_the_oauth_code_and_state_in_a_query_and_keeps_the_rest():
    from accounts.redaction import redact_query

    query = "code=AQD-the-one-time-code&state=s7Xk2&ids=1,2,3&q=Greta"
    assert redact_query(query) == f"code={REDACTED}&state={REDACTED}&ids=1,2,3&q=Greta"


def test_it_masks_token_like_query_values_whatever_their_name():
    from accounts.redaction import redact_query

    mcp_token = "shm_" + "a1B2" * 10
    jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
    random_run = "Zx81Kq0mNv2LpA7sD3fG9hJ4kL5zX6cV"
    query = f"x={mcp_token}&y={jwt}&z={random_run}&api_key=k&user_id=31l77y2a4ahbkn6wrcu4cpc6mc3y"
    masked = redact_query(query)
    for secret in (mcp_token, jwt, random_run, "api_key=k"):
        assert secret not in masked
    assert "user_id=31l77y2a4ahbkn6wrcu4cpc6mc3y" in masked  # a Spotify user id stays readable


def test_it_masks_the_query_of_every_url_in_a_line():
    from accounts.redaction import redact_urls

    line = (
        'GET /auth/callback?code=AQD123&state=abc HTTP/1.1 "https://h.example/auth/callback?'
        'code=AQD123&state=abc" Location: https://accounts.spotify.com/authorize?state=abc&x=1'
    )
    masked = redact_urls(line)
    assert "AQD123" not in masked
    assert "state=abc" not in masked
    assert masked.startswith(f"GET /auth/callback?code={REDACTED}&state={REDACTED} HTTP/1.1")
    assert "&x=1" in masked
