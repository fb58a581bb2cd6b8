from django.conf import settings
from django.core.checks import Warning, register

from .fields import fernet


@register("security", deploy=True)
def field_keys_configured(app_configs, **kwargs):
    if getattr(settings, "FIELD_ENCRYPTION_KEYS", None):
        fernet()
        return []
    return [
        Warning(
            "FIELD_ENCRYPTION_KEYS is not set: bank details are encrypted with a key derived "
            "from SECRET_KEY, so rotating SECRET_KEY would lock them away.",
            hint="Set FIELD_ENCRYPTION_KEYS to one or more Fernet keys (docs/operations.md).",
            id="funding.W001",
        )
    ]
