"""Background work of the review rounds (django-tasks): the assignment optimiser.

The task takes the run's id only and calls the service, which saves its progress on the run
step by step; with the immediate backend it runs in the request right after commit, and the
run page then shows it finished."""

from django_tasks import task


@task()
def assignment_run_task(run_id: int) -> str:
    from .services import assignment_run_execute

    return assignment_run_execute(run_id=run_id).state
