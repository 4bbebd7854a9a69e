"""`/imports`: upload an export for a listener, and follow every import job's progress live."""

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.models import Listener
from adminui.access import staff_required
from adminui.forms import UploadForm
from adminui.ids import MAX_LISTED, parse_ids
from adminui.import_upload import UploadRefused, accept_upload
from adminui.pages.uploading import upload_view
from adminui.progress import job_progress
from imports import jobs
from imports.models import ImportJob

SHOWN = 50


def _page(request, form, status=200, refusal=None):
    shown = ImportJob.objects.select_related("listener")[:SHOWN]
    return render(
        request,
        "adminui/imports.html",
        {"form": form, "refusal": refusal, "jobs": [(job, job_progress(job)) for job in shown]},
        status=status,
    )


def _refused(request, message, status):
    """The form again as it was sent (the file aside), with why the upload was refused."""
    sent = request.POST if request.method == "POST" else {}
    initial = {name: sent.get(name, "") for name in ("listener", "new_listener")}
    return _page(request, UploadForm(initial=initial), status, refusal=message)


@never_cache
@require_http_methods(["GET", "POST"])
@staff_required
@upload_view(_refused)
def imports(request):
    if request.method == "GET":
        return _page(request, UploadForm(initial={"listener": request.GET.get("listener")}))
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        return _page(request, form, 400)
    try:
        with transaction.atomic():
            listener = form.cleaned_data["listener"] or Listener.objects.create(
                spotify_user_id=form.cleaned_data["new_listener"],
                status=Listener.Status.IMPORT_ONLY,
            )
            job = accept_upload(listener, form.cleaned_data["file"])
    except UploadRefused as refusal:
        form.add_error("file", str(refusal))
        return _page(request, form, 400)
    except IntegrityError:
        if not form.cleaned_data["new_listener"]:
            raise
        # The same new listener, created by another request (a double click) just now.
        form.add_error("new_listener", "That listener was just created: pick them in the list.")
        return _page(request, form, 400)
    messages.success(
        request, f"Queued the import of {job.file_name} for {listener.spotify_user_id}."
    )
    return redirect("pages:imports")


def progress_response(queryset, raw_ids):
    try:
        ids = parse_ids(raw_ids)
    except ValueError:
        return JsonResponse(
            {"detail": f"ids must be a comma-separated list of at most {MAX_LISTED} job ids."},
            status=400,
        )
    jobs_ = queryset.select_related("listener").filter(pk__in=ids)
    return JsonResponse({"jobs": [job_progress(job) for job in jobs_]})


@never_cache
@require_GET
@staff_required
def progress(request):
    """The live progress the /imports page polls: `?ids=1,2` -> {"jobs": [...]}."""
    return progress_response(ImportJob.objects.all(), request.GET.get("ids", ""))


@require_POST
@staff_required
def retry(request, job_id):
    job = get_object_or_404(ImportJob, pk=job_id)
    try:
        jobs.retry(job)
    except ValueError as error:
        messages.error(request, f"Import {job.pk} can't be retried: {error}.")
    else:
        messages.success(request, f"Import {job.pk} of {job.file_name} is queued again.")
    return redirect("pages:imports")
