"""The staff account that ADMIN_USERNAME / ADMIN_PASSWORD stand for, kept in step with them.

The deployment guide gives the operator one username and password (its `basic` admin mode). So
that the same pair also opens the operator pages (Django's own login), every `migrate` (each
start runs one) and `manage.py sync_admin_user` create that user as a staff superuser, or bring an
existing one back to staff, active and the configured password. Nothing happens while either
setting is empty; the password is only re-hashed when it changed.
"""

import logging

from django.conf import settings
from django.contrib.auth import get_user_model

from accounts.logs import log_event

logger = logging.getLogger(__name__)

CREATED = "created"
UPDATED = "updated"
UNCHANGED = "unchanged"
NOT_CONFIGURED = "not configured"


def sync_staff_account():
    """Creates or updates the ADMIN_USERNAME staff superuser; returns what it did."""
    username, password = settings.ADMIN_USERNAME, settings.ADMIN_PASSWORD
    if not (username and password):
        return NOT_CONFIGURED
    User = get_user_model()
    user = User.objects.filter(**{User.USERNAME_FIELD: username}).first()
    if user is None:
        User.objects.create_superuser(username=username, email="", password=password)
        outcome = CREATED
    else:
        changed = []
        for flag in ("is_staff", "is_superuser", "is_active"):
            if not getattr(user, flag):
                setattr(user, flag, True)
                changed.append(flag)
        if not user.check_password(password):
            user.set_password(password)
            changed.append("password")
        if not changed:
            return UNCHANGED
        user.save()
        outcome = UPDATED
    log_event(
        logger,
        f"staff_account.{outcome}",
        f"The staff account '{username}' (ADMIN_USERNAME) was {outcome}",
    )
    return outcome


def sync_after_migrate(sender, **kwargs):
    """post_migrate receiver: runs once per migrate, after the auth tables exist."""
    if kwargs.get("using", "default") == "default":
        sync_staff_account()
