"""Background tasks of the imports app, run by the django-q2 worker."""

from imports.jobs import resume_stale_imports, run_import_job


def run_import(job_id):
    """Runs one queued import job (queued by an upload)."""
    return run_import_job(job_id).status


def resume_imports():
    """Resumes imports whose worker died (the schedule runs this every minute)."""
    return len(resume_stale_imports())
