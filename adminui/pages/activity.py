"""`/jobs` (sync runs and imports, filtered) and `/logs` (structured logs, searched; purge)."""

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from accounts.models import LogEntry
from accounts.tasks import purge_old_logs
from adminui.access import staff_required
from adminui.forms import JobFilterForm, LogFilterForm, PurgeLogsForm
from adminui.log_filters import filter_log_entries
from adminui.progress import job_progress
from imports.models import ImportJob
from plays.models import SyncRun

SHOWN = 100  # log entries shown; sync runs and import jobs are paged by this many
PAGE_SIZE = 100


def _window(queryset, data, time_field):
    if data.get("listener"):
        queryset = queryset.filter(listener=data["listener"])
    if data.get("since"):
        queryset = queryset.filter(**{f"{time_field}__gte": data["since"]})
    if data.get("until"):
        queryset = queryset.filter(**{f"{time_field}__lt": data["until"]})
    return queryset


def filtered_jobs(data):
    """(sync runs, import jobs) matching the /jobs filters, each newest first (unpaged), or None
    for the kind the filters leave out."""
    kind, status = data.get("kind"), data.get("status")
    runs = jobs = None
    if kind in ("", "sync"):
        runs = _window(SyncRun.objects.select_related("listener"), data, "started_at")
        if status:
            runs = runs.filter(status=status)
    if kind in ("", "import"):
        jobs = _window(ImportJob.objects.select_related("listener"), data, "created_at")
        if status:
            jobs = jobs.filter(status=status)
    return runs, jobs


def page_of(request, queryset, param):
    """The page of `queryset` that `?<param>=N` asks for (the last one past the end, the first
    for anything that isn't a number), with the links to its neighbours keeping the filters."""
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get(param))

    def link(number):
        query = request.GET.copy()
        query[param] = number
        return f"?{query.urlencode()}"

    page.previous_url = link(page.previous_page_number()) if page.has_previous() else None
    page.next_url = link(page.next_page_number()) if page.has_next() else None
    return page


@require_GET
@staff_required
def job_list(request):
    form = JobFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return render(request, "adminui/jobs.html", {"form": form}, status=400)
    data = form.cleaned_data if form.is_bound else {"kind": ""}
    runs, jobs = filtered_jobs(data)
    context = {"form": form, "runs": None, "jobs": None, "page_size": PAGE_SIZE}
    if runs is not None:
        context["runs_page"] = page_of(request, runs, "runs_page")
        context["runs"] = list(context["runs_page"])
    if jobs is not None:
        context["jobs_page"] = page_of(request, jobs, "imports_page")
        context["jobs"] = [(job, job_progress(job)) for job in context["jobs_page"]]
    return render(request, "adminui/jobs.html", context)


def filtered_logs(data):
    """Log entries matching the /logs filters (the admin API's rules), newest first."""
    entries = _window(LogEntry.objects.select_related("listener"), data, "created")
    entries = filter_log_entries(
        entries, level=data.get("level"), logger=data.get("logger"), text=data.get("q")
    )
    return entries[:SHOWN]


def _logs_page(request, form, purge_form, status=200):
    entries = None
    if not form.is_bound:
        entries = filtered_logs({})
    elif form.is_valid():
        entries = filtered_logs(form.cleaned_data)
    else:
        status = 400
    return render(
        request,
        "adminui/logs.html",
        {"form": form, "purge_form": purge_form, "entries": entries, "shown": SHOWN},
        status=status,
    )


@require_GET
@staff_required
def logs(request):
    purge_form = PurgeLogsForm(initial={"days": settings.LOG_RETENTION_DAYS})
    return _logs_page(request, LogFilterForm(request.GET or None), purge_form)


@require_POST
@staff_required
def purge_logs(request):
    """The same purge as the worker's daily task and the admin API's purge-logs."""
    form = PurgeLogsForm(request.POST)
    if not form.is_valid():
        return _logs_page(request, LogFilterForm(), form, status=400)
    days = form.cleaned_data["days"]
    deleted = purge_old_logs(days)
    messages.success(request, f"Deleted {deleted} log entries older than {days} days.")
    return redirect("pages:logs")
