"""Import jobs as the operator lists them, newest first: for the admin API and the MCP tools.

`adminui.api_activity` (GET /admin/import-jobs) and `mcp.tools.ops` (`recent_import_jobs`) both
answer from here, with the same filters as sync runs (`plays.queries.operator.in_window`).
"""

from imports.models import ImportJob
from plays.queries.operator import in_window


def import_job_row(job):
    """`ImportJob.summary()` plus the job's id, upload size and creation time; `job.listener`
    should be select_related."""
    return {**job.summary(), "id": job.pk, "file_size": job.file_size, "created_at": job.created_at}


def recent_import_jobs(*, listener=None, status=None, since=None, until=None, limit=50):
    """Import jobs by creation time, newest first, filtered."""
    jobs = ImportJob.objects.select_related("listener")
    if status is not None:
        jobs = jobs.filter(status=status)
    window = in_window(jobs, "created_at", listener=listener, since=since, until=until, limit=limit)
    return [import_job_row(job) for job in window]
