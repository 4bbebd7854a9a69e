"""Forgets the Django admin's change history of a deleted listener.

The Django admin (`/admin/db/`) keeps a `django.contrib.admin.models.LogEntry` for every change
made through it, with the object's name (`object_repr`: the listener's Spotify user id, an import
job's file name...). Those rows are Django's, not the listener's, so no cascade reaches them:
without this, "delete all my data" would leave the names behind. Before a listener is deleted,
the entries about them and about any row of theirs (every model with a `listener` foreign key)
are deleted too; the deletion's own entry, which the admin writes before deleting, goes with them.
"""

from django.apps import apps
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType

from accounts.models import Listener


def _owned_models():
    for model in apps.get_models():
        field = next((f for f in model._meta.concrete_fields if f.name == "listener"), None)
        if field is not None and field.is_relation and field.related_model is Listener:
            yield model


def forget_listener(sender, instance, **kwargs):
    """The pre_delete receiver of Listener: deletes the admin's log entries about them."""
    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Listener), object_id=str(instance.pk)
    ).delete()
    for model in _owned_models():
        logged = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model))
        ids = [i for i in logged.values_list("object_id", flat=True) if i.isdigit()]
        if not ids:  # the admin log is small: most models have no entry at all
            continue
        theirs = model.objects.filter(listener=instance, pk__in=[int(i) for i in ids])
        logged.filter(
            object_id__in=[str(pk) for pk in theirs.values_list("pk", flat=True)]
        ).delete()
