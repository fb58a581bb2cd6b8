"""Text encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256) under rotatable keys.

Keys come from `settings.FIELD_ENCRYPTION_KEYS` (the environment's FIELD_ENCRYPTION_KEYS, a
comma-separated list of Fernet keys): the first encrypts, every one decrypts, so a new key
goes first and the old ones stay until `nurture rotate_field_keys` has re-encrypted every
row. Without configured keys, one key is derived from SECRET_KEY (development only; the
deploy check warns).

Written on `cryptography`'s MultiFernet directly rather than with
django-fernet-encrypted-fields, whose fields return the ciphertext unchanged when no key
fits (a botched rotation would show garbage instead of failing), tie their keys to
SECRET_KEY, and keep them for the life of the process.
"""

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class DecryptionError(Exception):
    """A stored value that none of the configured keys opens."""


def configured_keys() -> tuple[str, ...]:
    keys = tuple(key.strip() for key in getattr(settings, "FIELD_ENCRYPTION_KEYS", ()) if key)
    if keys:
        return keys
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"nurture field encryption"
    ).derive(settings.SECRET_KEY.encode())
    return (base64.urlsafe_b64encode(derived).decode(),)


@functools.lru_cache(maxsize=8)
def _fernet(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(key.encode()) for key in keys])
    except (ValueError, TypeError) as error:
        raise ImproperlyConfigured(
            "FIELD_ENCRYPTION_KEYS must hold Fernet keys (32 url-safe base64-encoded bytes); "
            "make one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`."
        ) from error


def fernet() -> MultiFernet:
    """The keys as configured now (settings are read on each call, so a test may change them)."""
    return _fernet(configured_keys())


def encrypt(value: str) -> str:
    return fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    try:
        return fernet().decrypt(token.encode()).decode()
    except InvalidToken as error:
        raise DecryptionError(
            "A stored value cannot be decrypted with FIELD_ENCRYPTION_KEYS: a key that "
            "encrypted it is missing from the list."
        ) from error


def rotate(token: str) -> str:
    """The same plaintext under the first key (MultiFernet.rotate)."""
    try:
        return fernet().rotate(token.encode()).decode()
    except InvalidToken as error:
        raise DecryptionError("A stored value cannot be decrypted with any key.") from error


def encrypted_with_primary(token: str) -> bool:
    try:
        Fernet(configured_keys()[0].encode()).decrypt(token.encode())
    except InvalidToken:
        return False
    return True


class EncryptedTextField(models.TextField):
    """A text column that holds only Fernet tokens; the model sees the plaintext.

    Each write encrypts with a fresh IV, so the column cannot be searched or compared; the
    empty string is stored as itself (nothing to hide).
    """

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(str(value))

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        return decrypt(value)
