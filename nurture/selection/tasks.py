"""Background work of selection: the optimiser run and the daily offer deadlines."""

from django_tasks import task

from . import services


@task()
def proposal_run(proposal_id: int) -> str:
    return services.proposal_compute(proposal_id=proposal_id).state


@task()
def offer_deadlines() -> int:
    return len(services.offers_lapse())
