"""Background work of the privacy app; each task takes ids and calls a service."""

from django_tasks import task

from . import retention, services


@task()
def marketing_deliver(delivery_id: int) -> str:
    return services.marketing_delivery_run(delivery_id=delivery_id)


@task()
def data_request_export(request_id: int) -> int:
    return services.data_request_export_build(request_id=request_id).pk


@task()
def data_request_reminders() -> int:
    return services.data_request_send_reminders()


@task()
def retention_run() -> dict:
    return retention.retention_run()
