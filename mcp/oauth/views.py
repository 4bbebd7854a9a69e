"""The authorization server's HTTP side: the consent page, and thin gates in front of
django-oauth-toolkit's token, revocation and registration views.

`authorize` (GET shows, POST decides) is this project's own page because the resource owner is a
listener logged in with Spotify, not a Django user, and because the MCP profile asks for more
than the toolkit's generic view checks: PKCE with S256 only, and every authorization bound to
this server's /mcp (RFC 8707; a request naming another resource is refused with
`invalid_target`, one naming none gets /mcp). Validation, codes and the redirect itself
(with `iss`, RFC 9207) are the toolkit's.

Errors that can't be trusted to the client's redirect URI (unknown client, unregistered redirect
URI) are shown on a page here; every other error goes back to the client as `error=...` with
`state` and `iss`, as RFC 6749 and RFC 9207 ask.
"""

import base64
import binascii
import hashlib
import logging
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods
from oauth2_provider.exceptions import OAuthToolkitError
from oauth2_provider.http import OAuth2ResponseRedirect
from oauth2_provider.oauth2_validators import validate_resource_as_url_prefix
from oauth2_provider.scopes import get_scopes_backend
from oauth2_provider.settings import oauth2_settings
from oauth2_provider.views import (
    DynamicClientRegistrationView,
    RevokeTokenView,
    TokenView,
)
from oauth2_provider.views.mixins import OAuthLibMixin
from oauthlib.oauth2.rfc6749.errors import CustomOAuth2Error, InvalidRequestError

from accounts.logs import log_event
from accounts.oauth import session_listener
from mcp import ratelimit
from mcp.oauth import clients
from mcp.oauth.models import Application
from mcp.oauth.provider_settings import SCOPE, WRITE_SCOPE, resource_url
from mcp.oauth.redirects import is_loopback

logger = logging.getLogger(__name__)


class _Core(OAuthLibMixin):
    """The toolkit's glue to oauthlib (validation, codes, error redirects), without a view."""


def _issuer():
    return oauth2_settings.OIDC_ISS_ENDPOINT


def _with_iss(url):
    """`url` with the RFC 9207 `iss` parameter (the toolkit adds it to successes only)."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "iss"]
    query.append(("iss", _issuer()))
    return urlunsplit(parts._replace(query=urlencode(query)))


def _error_page(request, title, message, status=400):
    return render(
        request,
        "mcp_oauth/error.html",
        {"title": title, "message": message},
        status=status,
    )


def _error_answer(request, error, application=None):
    """An OAuth error: a redirect back to the client when it is safe, else a page here."""
    should_redirect, info = _Core().error_response(error)
    oauthlib_error = info["error"]
    if not should_redirect or not oauthlib_error.redirect_uri:
        return _error_page(
            request,
            "This connection request is not valid",
            f"{oauthlib_error.description or oauthlib_error.error}. Nothing was connected; "
            "start again from your assistant.",
            status=oauthlib_error.status_code or 400,
        )
    schemes = (
        application.get_allowed_schemes()
        if application
        else oauth2_settings.ALLOWED_REDIRECT_URI_SCHEMES
    )
    return OAuth2ResponseRedirect(_with_iss(info["url"]), schemes)


def _checked_request(request):
    """Validates the authorization request: (scopes, credentials, application) or raises
    OAuthToolkitError. Adds the MCP profile's rules to the toolkit's validation."""
    scopes, credentials = _Core().validate_authorization_request(request)
    state = credentials.get("state")
    redirect_uri = credentials["redirect_uri"]
    if credentials.get("code_challenge_method") != "S256":
        raise OAuthToolkitError(
            InvalidRequestError(
                description="PKCE with code_challenge_method=S256 is required.", state=state
            ),
            redirect_uri=redirect_uri,
        )
    ours = resource_url(settings.PUBLIC_BASE_URL)
    for resource in request.GET.getlist("resource"):
        same = validate_resource_as_url_prefix(resource, [ours]) and (
            validate_resource_as_url_prefix(ours, [resource])
        )
        if not same:
            raise OAuthToolkitError(
                CustomOAuth2Error(
                    error="invalid_target",
                    description=f"This server only issues tokens for {ours}.",
                    state=state,
                ),
                redirect_uri=redirect_uri,
            )
    credentials["resource"] = [ours]
    application = Application.objects.get(client_id=credentials["client_id"])
    if WRITE_SCOPE in scopes and SCOPE not in scopes:
        scopes = [SCOPE, *scopes]  # changing things never comes without reading
    return scopes, credentials, application


@never_cache
@require_http_methods(["GET", "POST"])
def authorize(request):
    """GET: the consent page (after the Spotify login if needed); POST: allow or deny."""
    try:
        scopes, credentials, application = _checked_request(request)
    except OAuthToolkitError as error:
        return _error_answer(request, error)

    listener = session_listener(request.session)
    if listener is None:
        if request.method == "POST":
            return _error_page(
                request,
                "You are not logged in",
                "Your session ended before you answered. Start again from your assistant.",
                status=403,
            )
        login = reverse("accounts:login")
        return redirect(f"{login}?{urlencode({'next': request.get_full_path()})}")

    if request.method == "GET":
        return _consent_page(request, listener, application, scopes, credentials)

    decision = request.POST.get("decision")
    allow = decision in ("allow", "allow_read")
    if decision == "allow_read":
        # The listener let it read only, though it asked to change things too.
        scopes = [scope for scope in scopes if scope != WRITE_SCOPE]
    # The toolkit records `request.user` as the resource owner: here, the listener.
    request.user = listener
    try:
        uri, _headers, _body, _status = _Core().create_authorization_response(
            request, " ".join(scopes), credentials, allow
        )
    except OAuthToolkitError as error:
        if not allow:
            log_event(
                logger,
                "oauth.denied",
                f"{listener.spotify_user_id} denied {application.display_name}",
                listener=listener,
                client_id=application.client_id[:200],
            )
        return _error_answer(request, error, application)
    return OAuth2ResponseRedirect(uri, application.get_allowed_schemes())


def _consent_page(request, listener, application, scopes, credentials):
    descriptions = get_scopes_backend().get_all_scopes()
    redirect_uri = credentials["redirect_uri"]
    page = render(
        request,
        "mcp_oauth/consent.html",
        {
            "listener": listener,
            "application": application,
            "client_host": urlsplit(application.client_id).hostname
            if application.name_is_verified
            else None,
            "redirect_host": urlsplit(redirect_uri).netloc,
            "redirect_is_loopback": is_loopback(redirect_uri),
            "reads": descriptions[SCOPE],
            "changes": descriptions[WRITE_SCOPE] if WRITE_SCOPE in scopes else None,
        },
    )
    # Approve and Deny answer with a redirect to the assistant, which the browser checks against
    # the page's form-action: allow that one origin, on this page only.
    target = urlsplit(redirect_uri)
    page._csp_update = {"form-action": [f"{target.scheme}://{target.netloc}"]}
    return page


def _too_many(description, retry_after):
    response = JsonResponse(
        {"error": "too_many_requests", "error_description": description}, status=429
    )
    response["Retry-After"] = str(max(1, retry_after))
    return response


UNKNOWN_CLIENT = "unknown"


def _named_client_id(request):
    """The client id a token or revocation request names: in the form, or in Basic credentials."""
    client_id = request.POST.get("client_id", "")
    if client_id:
        return client_id
    scheme, _, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return ""
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return ""
    return unquote(decoded.partition(":")[0])


def _client_key(request):
    """A rate-limit key for the client a token or revocation request names (never a secret).

    Only registered clients get a count of their own: every id naming no client shares one, so
    requests inventing ids can't add a counter row each (and gain a fresh allowance each)."""
    client_id = _named_client_id(request)
    if not client_id or not Application.objects.filter(client_id=client_id).exists():
        return UNKNOWN_CLIENT
    return hashlib.sha256(client_id.encode("utf-8", "replace")).hexdigest()[:32]


def _client_endpoint(view, kind):
    """The toolkit's `view`, limited to MCP_RATE_LIMIT_PER_MINUTE POSTs a minute per client.

    Also labels its JSON errors as JSON: an error raised while the toolkit stores the tokens
    (e.g. `invalid_target`) otherwise goes out without a Content-Type.
    """

    def limited(request, *args, **kwargs):
        if request.method == "POST":
            key = f"oauth:{kind}:{_client_key(request)}"
            decision = ratelimit.hit(key)
            if not decision.allowed:
                return _too_many(
                    f"Over {decision.limit} {kind} requests a minute for this client: try again "
                    f"in {decision.retry_after} seconds.",
                    decision.retry_after,
                )
        response = view(request, *args, **kwargs)
        if response.status_code >= 400 and response.content.startswith(b"{"):
            response["Content-Type"] = "application/json"
            response["Cache-Control"] = "no-store"
        return response

    return limited


token = csrf_exempt(_client_endpoint(TokenView.as_view(), "token"))
revoke = csrf_exempt(_client_endpoint(RevokeTokenView.as_view(), "revocation"))


@method_decorator(csrf_exempt, name="dispatch")
class _Registration(DynamicClientRegistrationView):
    """The toolkit's RFC 7591 endpoint behind this project's registration policy."""

    def post(self, request, *args, **kwargs):
        refusal = clients.dynamic_registration_refusal()
        if refusal is not None:
            if refusal.status == 429:
                return _too_many(refusal.description, refusal.retry_after)
            return JsonResponse(
                {"error": refusal.error, "error_description": refusal.description},
                status=refusal.status,
            )
        # Registration is anonymous: a browser's staff session must not own the client.
        request.user = AnonymousUser()
        response = super().post(request, *args, **kwargs)
        if response.status_code == 201:
            log_event(
                logger,
                "oauth.registered",
                "An assistant registered with Dynamic Client Registration",
            )
        return response


register = _Registration.as_view()
