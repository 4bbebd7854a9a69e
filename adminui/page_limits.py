"""The limits on the pages' state-changing requests: every form POST, and the listener's uploads.

Every POST a page takes from a listener (`/me/...`) or the operator (the staff pages) counts on
that visitor's allowance of PAGE_RATE_LIMIT_PER_MINUTE, with the project's one limiter
(`accounts.ratelimit`, table `PageRateCounter`). `adminui.access.listener_required` and
`staff_required` apply it, so no state-changing page can be added without it. Past the limit the
answer is 429 with `Retry-After` and one sentence, before the request's body is read (an upload
is refused before it is stored).

A listener's own uploads (`/me/import`) are also capped at IMPORT_UPLOADS_PER_DAY accepted
uploads in any 24 hours (counted from their import jobs); the operator's uploads are not capped.

A Wrapped share link (`/wrapped/<secret>` and its preview picture) is open to anybody who has it,
and each view costs about what the listener's page does, so each link is also limited to
SHARE_VIEWS_PER_MINUTE views, whoever asks (many addresses sharing a link can't multiply it).

Each refusal is counted in /metrics' `rate_limit_refusals_total` (`page_posts`, `import_uploads`,
`share_views`).
"""

from datetime import timedelta

from django.conf import settings
from django.shortcuts import render
from django.utils import timezone

from accounts import metric_counts, ratelimit
from accounts.models import PageRateCounter
from imports.models import ImportJob

WINDOW = timedelta(minutes=1)
UPLOAD_WINDOW = timedelta(days=1)


def listener_key(listener_id):
    return f"listener:{listener_id}"


def staff_key(user_id):
    return f"staff:{user_id}"


def _too_many(request, message, retry_after):
    response = render(
        request,
        "adminui/too_many_requests.html",
        {"message": message},
        status=429,
    )
    response["Retry-After"] = str(max(1, retry_after))
    return response


def refused_write(request, key):
    """Counts one state-changing request by `key`; the 429 answer when over the limit, or None."""
    if request.method != "POST":
        return None
    decision = ratelimit.hit(
        PageRateCounter, key, limit=settings.PAGE_RATE_LIMIT_PER_MINUTE, window=WINDOW
    )
    if decision.allowed:
        return None
    metric_counts.add(metric_counts.RATE_LIMIT_REFUSALS, limit="page_posts")
    return _too_many(
        request,
        f"You made more than {decision.limit} changes in a minute, so this one was not made: "
        f"wait {decision.retry_after} seconds and try again.",
        decision.retry_after,
    )


def share_key(share_id):
    return f"share:{share_id}"


def refused_share_view(request, share_id):
    """Counts one view of a share link; the 429 answer when over SHARE_VIEWS_PER_MINUTE, or None."""
    decision = ratelimit.hit(
        PageRateCounter, share_key(share_id), limit=settings.SHARE_VIEWS_PER_MINUTE, window=WINDOW
    )
    if decision.allowed:
        return None
    metric_counts.add(metric_counts.RATE_LIMIT_REFUSALS, limit="share_views")
    return _too_many(
        request,
        f"This share link was opened more than {decision.limit} times in a minute: wait "
        f"{decision.retry_after} seconds and try again.",
        decision.retry_after,
    )


def refused_upload(request, listener, now=None):
    """The 429 answer when `listener` already made IMPORT_UPLOADS_PER_DAY uploads in the last 24
    hours, or None."""
    most = settings.IMPORT_UPLOADS_PER_DAY
    if most <= 0:
        return None
    now = now or timezone.now()
    recent = ImportJob.objects.filter(listener=listener, created_at__gt=now - UPLOAD_WINDOW)
    if recent.count() < most:
        return None
    oldest = recent.order_by("created_at").values_list("created_at", flat=True)[0]
    retry_after = int((oldest + UPLOAD_WINDOW - now).total_seconds()) + 1
    hours = max(1, round(retry_after / 3600))
    metric_counts.add(metric_counts.RATE_LIMIT_REFUSALS, limit="import_uploads")
    return _too_many(
        request,
        f"You uploaded {most} files in the last 24 hours, the most one listener may "
        f"(IMPORT_UPLOADS_PER_DAY): this upload was not stored. Try again in about {hours} "
        f"hour{'s' if hours != 1 else ''}.",
        retry_after,
    )


def clear_expired(now=None):
    """Deletes the counts of windows that ended; returns how many."""
    return ratelimit.delete_expired(PageRateCounter, WINDOW, now)


def forget_listener(sender, instance, **kwargs):
    """The post_delete receiver of Listener: a deleted listener's count goes with them."""
    PageRateCounter.objects.filter(key=listener_key(instance.pk)).delete()
