"""Bank details are encrypted at rest, under rotatable keys."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.management import CommandError, call_command
from django.db import connection

from nurture.funding.fields import DecryptionError
from nurture.funding.models import Disbursement
from tests.funding.conftest import BANK

pytestmark = pytest.mark.django_db

COLUMNS = ("bank_account_name", "bank_name", "bank_account_number")


def raw(disbursement) -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(COLUMNS)} FROM funding_disbursement WHERE id = %s",
            [disbursement.pk],
        )
        return dict(zip(COLUMNS, cursor.fetchone(), strict=True))


def test_the_raw_columns_hold_no_plain_value(pending):
    stored = raw(pending)

    for column in COLUMNS:
        assert stored[column] != BANK[column]
        assert BANK[column] not in stored[column]
        assert "678" not in stored[column]
        assert stored[column].startswith("gAAAA")  # a Fernet token
    again = Disbursement.objects.get(pk=pending.pk)
    assert [getattr(again, column) for column in COLUMNS] == [BANK[c] for c in COLUMNS]


def test_the_same_value_encrypts_differently_each_time(tranches, manager, pending):
    from tests.funding.conftest import request_payment

    second = request_payment(tranches[1], manager)
    assert raw(second)["bank_account_number"] != raw(pending)["bank_account_number"]


def test_a_value_under_a_missing_key_fails_loudly(pending, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(DecryptionError):
        Disbursement.objects.get(pk=pending.pk)


def test_rotation_re_encrypts_under_the_new_key_and_the_old_key_can_go(tranches, manager, settings):
    from tests.funding.conftest import request_payment

    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    disbursement = request_payment(tranches[0], manager)
    before = raw(disbursement)

    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    with pytest.raises(CommandError):
        call_command("rotate_field_keys", "--check", stdout=io.StringIO())
    call_command("rotate_field_keys", stdout=io.StringIO())
    call_command("rotate_field_keys", "--check", stdout=io.StringIO())

    settings.FIELD_ENCRYPTION_KEYS = [new]
    after = raw(disbursement)
    assert all(after[column] != before[column] for column in COLUMNS)
    assert (
        Fernet(new.encode()).decrypt(after["bank_account_number"].encode()).decode()
        == (BANK["bank_account_number"])
    )
    again = Disbursement.objects.get(pk=disbursement.pk)
    assert [getattr(again, column) for column in COLUMNS] == [BANK[c] for c in COLUMNS]


def test_rotation_with_a_key_missing_stops_with_a_clear_error(pending, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="cannot be decrypted"):
        call_command("rotate_field_keys", stdout=io.StringIO())


def test_the_deploy_check_warns_without_keys_of_their_own(settings):
    from nurture.funding.checks import field_keys_configured

    settings.FIELD_ENCRYPTION_KEYS = []
    assert [w.id for w in field_keys_configured(None)] == ["funding.W001"]
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert field_keys_configured(None) == []


def test_a_malformed_key_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    from nurture.funding.checks import field_keys_configured

    settings.FIELD_ENCRYPTION_KEYS = ["not-a-fernet-key"]
    with pytest.raises(ImproperlyConfigured):
        field_keys_configured(None)
