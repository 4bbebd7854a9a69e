"""URLs of the pages: the operator's at the original frontend's paths, the listener's under /me."""

from django.urls import path

from adminui.pages import activity, auth, dashboard, history, imports, listeners, me, wrapped
from plays.queries import DETAIL_KINDS

app_name = "pages"
urlpatterns = [
    path("login", auth.login, name="login"),
    path("logout", auth.logout, name="logout"),
    # operator (staff)
    path("", dashboard.dashboard, name="dashboard"),
    path("listeners/<str:user_id>", listeners.listener_detail, name="listener"),
    path("listeners/<str:user_id>/pause", listeners.pause, name="listener-pause"),
    path("listeners/<str:user_id>/resume", listeners.resume, name="listener-resume"),
    path("listeners/<str:user_id>/poll", listeners.poll_now, name="listener-poll"),
    path("listeners/<str:user_id>/time-zone", listeners.time_zone, name="listener-time-zone"),
    path("listeners/<str:user_id>/tokens", listeners.create_token, name="listener-token-create"),
    path("listeners/<str:user_id>/tokens/new", listeners.new_token, name="listener-token-new"),
    path(
        "listeners/<str:user_id>/tokens/<int:token_id>/revoke",
        listeners.revoke_token,
        name="listener-token-revoke",
    ),
    path(
        "listeners/<str:user_id>/assistants/<int:connection_id>/disconnect",
        listeners.disconnect_assistant,
        name="listener-assistant-disconnect",
    ),
    path("listeners/<str:user_id>/delete", listeners.delete, name="listener-delete"),
    path(
        "listeners/<str:user_id>/wrapped", history.operated(wrapped.page), name="listener-wrapped"
    ),
    path("imports", imports.imports, name="imports"),
    path("imports/progress", imports.progress, name="imports-progress"),
    path("imports/<int:job_id>/retry", imports.retry, name="import-retry"),
    path("jobs", activity.job_list, name="jobs"),
    path("logs", activity.logs, name="logs"),
    path("logs/purge", activity.purge_logs, name="logs-purge"),
    # listener (Spotify login)
    path("me", me.me, name="me"),
    path("me/import", me.upload, name="me-import"),
    path("me/export", me.export, name="me-export"),
    path("me/imports/progress", me.progress, name="me-imports-progress"),
    path("me/time-zone", me.time_zone, name="me-time-zone"),
    path("me/tokens", me.create_token, name="me-token-create"),
    path("me/tokens/new", me.new_token, name="me-token-new"),
    path("me/tokens/<int:token_id>/revoke", me.revoke_token, name="me-token-revoke"),
    path(
        "me/assistants/<int:connection_id>/disconnect",
        me.disconnect_assistant,
        name="me-assistant-disconnect",
    ),
    path("me/permissions/off", me.permissions_off, name="me-permissions-off"),
    path("me/taste-profile", me.save_taste_profile, name="me-taste-profile"),
    path("me/taste-profile/clear", me.clear_taste_profile, name="me-taste-profile-clear"),
    path("me/delete", me.delete, name="me-delete"),
    path("me/logout", me.logout, name="me-logout"),
    path("me/logged-out", me.logged_out, name="me-logged-out"),
    path("me/artwork", me.artwork, name="me-artwork"),
    path("me/hidden-artists", me.hide_artist, name="me-hide-artist"),
    path("me/hidden-artists/show", me.show_artist, name="me-show-artist"),
    path("me/sharing", me.sharing, name="me-sharing"),
    path("me/wrapped", history.own(wrapped.page), name="me-wrapped"),
    path("me/wrapped/shares", wrapped.create_share, name="me-wrapped-share"),
    path(
        "me/wrapped/shares/<int:share_id>/revoke",
        wrapped.revoke_share,
        name="me-wrapped-share-revoke",
    ),
    # a share link of a Wrapped: anybody with the secret, that one Wrapped only
    path("wrapped/<str:secret>", wrapped.shared, name="wrapped-shared"),
    path("wrapped/<str:secret>/card.png", wrapped.shared_card, name="wrapped-shared-card"),
]

# The history pages, the listener's own under /me and the operator's under /listeners/<id>.
for _name, _view in history.PAGES.items():
    urlpatterns += [
        path(f"me/{_name}", history.own(_view), name=f"me-{_name}"),
        path(
            f"listeners/<str:user_id>/{_name}",
            history.operated(_view),
            name=f"listener-{_name}",
        ),
    ]
for _kind in DETAIL_KINDS:
    urlpatterns += [
        path(
            f"me/{_kind}s/<int:item_id>",
            history.own(history.item),
            {"kind": _kind},
            name=f"me-{_kind}",
        ),
        path(
            f"listeners/<str:user_id>/{_kind}s/<int:item_id>",
            history.operated(history.item),
            {"kind": _kind},
            name=f"listener-{_kind}",
        ),
    ]
