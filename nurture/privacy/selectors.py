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
