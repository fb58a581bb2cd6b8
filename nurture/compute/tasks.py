"""Background work of the compute app (django-tasks): imports of uploaded files.

The task takes the job's id only and calls the service; with the immediate backend it runs
in the request right after commit, and the job's page then shows it finished."""

from django_tasks import task


@task()
def import_job_task(job_id: int) -> str:
    from .services import import_job_run

    return import_job_run(job_id=job_id).state
