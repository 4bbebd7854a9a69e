"""The forms of the operator and listener pages (every one rendered with its CSRF token)."""

import re
from zoneinfo import available_timezones

from django import forms

from accounts.models import Listener, LogEntry
from adminui.log_filters import LEVELS
from adminui.moments import UtcDateTimeField
from adminui.uploads import import_size_limit_bytes, limit_in_words
from imports.models import ImportJob
from plays import taste
from plays.models import SyncRun


class ListenerField(forms.ModelChoiceField):
    """A listener picked by Spotify user id, with a clear message for one that doesn't exist."""

    def __init__(self, **kwargs):
        super().__init__(
            queryset=Listener.objects.all(),
            to_field_name="spotify_user_id",
            error_messages={"invalid_choice": "No listener with that Spotify user id."},
            **kwargs,
        )

    def label_from_instance(self, listener):
        if listener.display_name and listener.display_name != listener.spotify_user_id:
            return f"{listener.display_name} ({listener.spotify_user_id})"
        return listener.spotify_user_id


class OwnUploadForm(forms.Form):
    """A listener uploading their own export."""

    file = forms.FileField(
        label="Spotify export",
        error_messages={"required": "Choose the export file to upload."},
        widget=forms.ClearableFileInput(attrs={"accept": ".zip,.json,.jsonl,.csv"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        most = limit_in_words()
        self.fields["file"].help_text = (
            "my_spotify_data.zip, one streaming history JSON file from it, or a ListenBrainz, "
            f"Last.fm or Maloja export; at most {most}."
        )
        # The browser checks the size before uploading (adminui/static/adminui/uploads.js).
        self.fields["file"].widget.attrs.update(
            {
                "data-max-bytes": import_size_limit_bytes(),
                "data-max-label": most,
                "data-size-error": "upload-size-error",
                "aria-describedby": "id_file_error upload-help upload-size-error",
            }
        )


# At least one letter or digit: "." and ".." would make URLs that browsers rewrite.
SPOTIFY_USER_ID = re.compile(r"^(?=.*[A-Za-z0-9])[A-Za-z0-9._-]{1,255}$")


class UploadForm(OwnUploadForm):
    """The operator uploading an export for a listener they pick, or for a new import-only one.

    A new listener is only named here; the view creates them in the same transaction as the
    upload's job, so a refused upload leaves no listener behind.
    """

    listener = ListenerField(empty_label="Pick a listener", required=False)
    new_listener = forms.CharField(
        label="or a new import-only listener (Spotify user id)",
        required=False,
        help_text="For someone who will never log in here: their history comes from exports only.",
    )
    field_order = ["listener", "new_listener", "file"]

    def clean_new_listener(self):
        user_id = self.cleaned_data["new_listener"].strip()
        if not user_id:
            return ""
        if not SPOTIFY_USER_ID.match(user_id):
            raise forms.ValidationError(
                "A Spotify user id has letters or digits, and otherwise only dots, dashes and "
                "underscores."
            )
        if Listener.objects.filter(spotify_user_id=user_id).exists():
            raise forms.ValidationError(
                f"A listener with Spotify user id {user_id} exists already: pick them in the list."
            )
        return user_id

    def clean(self):
        cleaned = super().clean()
        picked, new = cleaned.get("listener"), cleaned.get("new_listener")
        if "new_listener" in self.errors or "listener" in self.errors:
            return cleaned
        if picked and new:
            raise forms.ValidationError("Pick a listener or name a new one, not both.")
        if not picked and not new:
            raise forms.ValidationError(
                "Pick a listener, or give the Spotify user id of a new import-only listener."
            )
        return cleaned


def time_zone_names():
    """Every IANA zone name this machine knows, sorted (the field's suggestions)."""
    return sorted(available_timezones())


class TimeZoneForm(forms.Form):
    """A zone typed or picked from suggestions (an input with a datalist of every zone, so a
    phone's keyboard finds "Paris" in a few letters), checked against the IANA names here."""

    time_zone = forms.CharField(
        label="Time zone",
        max_length=64,
        widget=forms.TextInput(
            attrs={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"}
        ),
        error_messages={"required": "Type a time zone such as Europe/Paris."},
    )

    def clean_time_zone(self):
        typed = self.cleaned_data["time_zone"].strip()
        names = {name.lower(): name for name in available_timezones()}
        if typed.lower() not in names:
            raise forms.ValidationError(
                f"Unknown time zone {typed}: pick an IANA name such as Europe/Paris."
            )
        return names[typed.lower()]


class ArtistChoiceForm(forms.Form):
    """An artist to hide or show again, by its catalogue id (from the page's own list)."""

    artist = forms.IntegerField(min_value=1, max_value=2**62)


class SharingForm(forms.Form):
    share = forms.BooleanField(required=False)


class ArtworkForm(forms.Form):
    show_artwork = forms.BooleanField(required=False)


class TokenForm(forms.Form):
    name = forms.CharField(
        max_length=100,
        required=False,
        help_text="To tell your tokens apart, e.g. 'Claude Desktop on my laptop'.",
    )


class TasteProfileForm(forms.Form):
    """The listener editing their taste profile document as JSON (the same caps as the tools)."""

    document = forms.CharField(
        label="Taste profile (JSON)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 10, "spellcheck": "false"}),
        help_text=f"A JSON object; at most {taste.MAX_DOCUMENT_BYTES // 1024} kB. Assistants read "
        "it as your data, never as instructions.",
    )

    def clean_document(self):
        text = self.cleaned_data["document"].strip() or "{}"
        try:
            return taste.parse_document(text)
        except taste.TasteError as error:
            raise forms.ValidationError(str(error)) from None


class DeleteConfirmForm(forms.Form):
    """Deleting a listener: the Spotify user id typed out, so it can't happen by a stray click."""

    confirm = forms.CharField(label="Type the Spotify user id to confirm")

    def __init__(self, *args, expected, **kwargs):
        super().__init__(*args, **kwargs)
        self.expected = expected

    def clean_confirm(self):
        value = self.cleaned_data["confirm"].strip()
        if value != self.expected:
            raise forms.ValidationError(
                f"Type {self.expected} exactly to delete this listener and all their data."
            )
        return value


def _choices(values, labels=None):
    return [("", "any"), *((value, (labels or {}).get(value, value)) for value in values)]


class JobFilterForm(forms.Form):
    """Filters of /jobs; every field is optional and bad values are reported, not guessed."""

    KINDS = [("", "sync runs and imports"), ("sync", "sync runs"), ("import", "imports")]

    listener = ListenerField(required=False, empty_label="every listener")
    kind = forms.ChoiceField(choices=KINDS, required=False)
    status = forms.ChoiceField(
        choices=_choices(sorted({*SyncRun.Status.values, *ImportJob.Status.values})),
        required=False,
    )
    since = UtcDateTimeField(required=False, help_text="UTC")
    until = UtcDateTimeField(required=False, help_text="UTC")


class LogFilterForm(forms.Form):
    level = forms.ChoiceField(choices=_choices(LEVELS), required=False, label="Level at least")
    logger = forms.CharField(required=False, max_length=100)
    listener = ListenerField(required=False, empty_label="every listener")
    q = forms.CharField(required=False, max_length=200, label="Text")
    since = UtcDateTimeField(required=False, help_text="UTC")
    until = UtcDateTimeField(required=False, help_text="UTC")


class PurgeLogsForm(forms.Form):
    days = forms.IntegerField(
        min_value=1,
        max_value=LogEntry.MAX_RETENTION_DAYS,
        help_text="Entries older than this many days are deleted.",
    )
