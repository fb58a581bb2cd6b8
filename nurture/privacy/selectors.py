from django.db.models import Count, Q

from .models import DeliveryStatus, MarketingMessage


def marketing_messages_with_counts():
    """Messages with a count per delivery status, in one query."""
    return MarketingMessage.objects.annotate(
        **{
            f"n_{status}": Count("deliveries", filter=Q(deliveries__status=status))
            for status in DeliveryStatus.values
        }
    ).order_by("-created_at", "-id")


def data_requests_due_summary(*, days: int = 7) -> dict[str, int]:
    """Open requests, those due within `days`, and those overdue, in one query."""
    from datetime import timedelta

    from django.utils import timezone

    from .models import DataRequest, RequestState

    now = timezone.now()
    return DataRequest.objects.filter(state=RequestState.OPEN).aggregate(
        open=Count("pk"),
        due_soon=Count("pk", filter=Q(due_at__gte=now, due_at__lte=now + timedelta(days=days))),
        overdue=Count("pk", filter=Q(due_at__lt=now)),
    )
