"""The answer to a client locked out of the password logins (django-axes' lockout callable).

django-axes counts failed logins on /login and /admin/db/login/ (settings: LOGIN_FAILURE_LIMIT,
LOGIN_LOCKOUT_MINUTES). Once it locks a client out, it calls `lockout_response` instead of showing
the login form again: a plain page in the site's style, 429 with `Retry-After`.
"""

from django.conf import settings
from django.shortcuts import render

from accounts import metric_counts


def lockout_response(request, original_response=None, credentials=None):
    metric_counts.add(metric_counts.RATE_LIMIT_REFUSALS, limit="login_lockout")
    minutes = settings.LOGIN_LOCKOUT_MINUTES
    response = render(
        request,
        "accounts/locked_out.html",
        {"failure_limit": settings.LOGIN_FAILURE_LIMIT, "minutes": minutes},
        status=429,
    )
    response["Retry-After"] = str(minutes * 60)
    return response
