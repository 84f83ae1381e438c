"""nhcs.accounts.backends.UserBackend: the permissions Django's ModelBackend gives, read in one query."""

import pytest
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission

from nhcs.accounts.backends import UserBackend
from nhcs.accounts.models import User

pytestmark = pytest.mark.django_db


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)


def test_the_same_permissions_as_djangos_backend_in_one_query(demo, django_assert_num_queries):
    own = Permission.objects.get(codename="view_dashboard")
    through_group = Permission.objects.get(codename="view_dashboard")
    group = Group.objects.create(name="Readers of the dashboard")
    group.permissions.add(through_group)
    user, other = demo["sales"], demo["planner"]
    assert not ModelBackend().get_all_permissions(fresh(user)) & {"dashboard.view_dashboard"}
    user.user_permissions.add(own)
    other.groups.add(group)
    for person in [fresh(user), *User.objects.all()]:
        expected = ModelBackend().get_all_permissions(fresh(person))
        person = fresh(person)
        with django_assert_num_queries(1):
            got = UserBackend().get_all_permissions(person)
        assert got == expected
    assert "dashboard.view_dashboard" in UserBackend().get_all_permissions(fresh(user))
    assert "dashboard.view_dashboard" in UserBackend().get_all_permissions(fresh(other))


def test_superusers_hold_every_permission_and_the_inactive_none(demo):
    boss = fresh(demo["gm"])
    boss.is_superuser = True
    assert len(UserBackend().get_all_permissions(boss)) == Permission.objects.count()
    gone = fresh(demo["sales_head"])
    gone.is_active = False
    assert UserBackend().get_all_permissions(gone) == set()


def test_has_perm_goes_through_it(demo):
    user = fresh(demo["sales"])
    assert not user.has_perm("dashboard.view_dashboard")
    user.user_permissions.add(Permission.objects.get(codename="view_dashboard"))
    assert fresh(user).has_perm("dashboard.view_dashboard")
