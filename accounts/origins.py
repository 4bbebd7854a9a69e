"""Whether a request was sent by a page of another site: the check against cross-site writes.

Browsers attach credentials they hold (HTTP Basic, cookies) to requests that any page makes
them send, so an API that accepts such credentials must refuse state-changing requests that a
page of another site started. Browsers say where a request comes from in `Origin` (on every
POST, PUT, PATCH and DELETE) and in `Sec-Fetch-Site`; clients that are not browsers (curl,
scripts) send neither and are not affected. "Same origin" means this server's own
`scheme://host[:port]` or one of CSRF_TRUSTED_ORIGINS, exactly as Django's CSRF check counts it
for the pages.
"""

from django.conf import settings

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})


def own_origin(request):
    """This server's origin as the request reached it (`scheme://host[:port]`)."""
    return f"{request.scheme}://{request.get_host()}"


def is_cross_site(request):
    """True when a browser says another site's page sent this request."""
    if request.headers.get("Sec-Fetch-Site", "").strip().lower() == "cross-site":
        return True
    origin = request.headers.get("Origin")
    if origin is None:
        return False
    origin = origin.strip().rstrip("/")
    trusted = {trusted.rstrip("/") for trusted in settings.CSRF_TRUSTED_ORIGINS}
    return origin != own_origin(request) and origin not in trusted


def is_cross_site_write(request):
    """True for a state-changing request (not GET/HEAD/OPTIONS/TRACE) from another site."""
    return request.method not in SAFE_METHODS and is_cross_site(request)
