"""Every permission change is audited, whoever makes it and however: a service or the shell,
the Django admin, group and permission assignments."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in

from nurture.accounts.models import Role, User
from nurture.audit.models import AuditEntry
from tests import factories

pytestmark = pytest.mark.django_db


def _entries(user, action="user.permissions_changed"):
    return list(AuditEntry.objects.filter(action=action, target_id=str(user.pk)).order_by("id"))


def test_a_role_change_in_code_is_recorded_with_old_and_new_values():
    user = factories.FounderFactory()
    user.role = Role.REVIEWER
    user.save()
    [entry] = _entries(user)
    assert entry.actor is None and entry.actor_label == "system"
    assert entry.data["changes"] == {"role": ["founder", "reviewer"]}
    assert entry.data["via"] == "outside a request"
    assert "os_user" in entry.data
    assert "founder → reviewer" in entry.summary


def test_staff_superuser_and_active_flags_are_recorded_even_through_update_fields():
    user = factories.FounderFactory()
    user.is_staff = True
    user.is_superuser = True
    user.save(update_fields=["is_staff", "is_superuser"])
    user.is_active = False
    user.save(update_fields=["is_active"])
    first, second = _entries(user)
    assert first.data["changes"] == {"is_staff": [False, True], "is_superuser": [False, True]}
    assert second.data["changes"] == {"is_active": [True, False]}


def test_saves_that_change_no_permission_are_not_recorded(django_assert_num_queries):
    user = factories.ReviewerFactory()
    user.full_name = "New Name"
    user.save()
    user.last_login = None
    # A save of other fields only does not even read the old values.
    with django_assert_num_queries(1):
        user.save(update_fields=["last_login"])
    assert _entries(user) == []


def test_an_account_created_with_more_than_founder_rights_is_recorded():
    founder = factories.FounderFactory()
    assert _entries(founder, "user.created_with_permissions") == []
    admin = User.objects.create_superuser(email="root@example.com", password="x" * 12)
    [entry] = _entries(admin, "user.created_with_permissions")
    assert entry.data["changes"] == {
        "is_staff": [False, True],
        "is_superuser": [False, True],
        "role": [None, "administrator"],
    }


def test_groups_and_permissions_given_or_taken_are_recorded():
    user = factories.PartnerFactory()
    group = Group.objects.create(name="Auditors")
    user.groups.add(group)
    permission = Permission.objects.get(codename="view_auditentry")
    user.user_permissions.add(permission)
    group.user_set.remove(user)
    changes = [e.data["changes"] for e in _entries(user)]
    assert changes == [
        {"groups": {"add": ["Auditors"]}},
        {"user_permissions": {"add": [str(permission)]}},
        {"groups": {"remove": ["Auditors"]}},
    ]


def test_a_role_change_in_the_admin_is_recorded_with_the_administrator(client):
    administrator = factories.AdministratorFactory()
    client.force_login(administrator)
    user = factories.FounderFactory(email="someone@example.com", full_name="Some One")
    response = client.post(
        f"/admin/accounts/user/{user.pk}/change/",
        {
            "email": user.email,
            "full_name": user.full_name,
            "organisation": "",
            "preferred_language": "en",
            "role": Role.PROGRAMME_MANAGER,
            "is_active": "on",
            "email_verified_at_0": "2030-01-01",
            "email_verified_at_1": "10:00:00",
            "date_joined_0": "2030-01-01",
            "date_joined_1": "10:00:00",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    user.refresh_from_db()
    assert user.role == Role.PROGRAMME_MANAGER
    [entry] = _entries(user)
    assert entry.actor == administrator
    assert entry.data["via"] == "admin"
    assert entry.data["changes"] == {"role": ["founder", "programme_manager"]}


def test_every_sign_in_is_recorded_through_the_signal(rf):
    user = factories.FounderFactory()
    request = rf.get("/somewhere/")
    user_logged_in.send(sender=User, request=request, user=user)
    [entry] = AuditEntry.objects.filter(action="user.login")
    assert (entry.actor, entry.data) == (user, {"via": "site"})
