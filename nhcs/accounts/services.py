from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import translation

from .choices import AUDITORS_GROUP, DEPARTMENTS_ZH, POSITION_GROUPS, DepartmentCode
from .models import Department, User


def _managed_group_names() -> set[str]:
    names = set(POSITION_GROUPS.values())
    names.update(Department.objects.exclude(group=None).values_list("group__name", flat=True))
    return names


@transaction.atomic
def user_sync_groups(*, user: User) -> None:
    """Put the user in the groups of their department and position, and out of the other such groups.

    Groups given by hand (auditors, say) are left alone.
    """
    managed = _managed_group_names()
    wanted: set[str] = set()
    if user.department_id and user.department.group_id:
        wanted.add(user.department.group.name)
    if user.position in POSITION_GROUPS:
        wanted.add(POSITION_GROUPS[user.position])
    current = set(user.groups.filter(name__in=managed).values_list("name", flat=True))
    if current - wanted:
        user.groups.remove(*Group.objects.filter(name__in=current - wanted))
    if wanted - current:
        user.groups.add(*Group.objects.filter(name__in=wanted - current))


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str,
    department_code: str | None,
    position: str,
    display_name: str = "",
    email: str = "",
    is_superuser: bool = False,
) -> User:
    department = Department.objects.get(code=department_code) if department_code else None
    user = User(
        username=username,
        department=department,
        position=position,
        display_name=display_name,
        email=email,
        is_staff=is_superuser,
        is_superuser=is_superuser,
    )
    user.set_password(password)
    user.save()
    user_sync_groups(user=user)
    return user


@transaction.atomic
def reference_data_ensure() -> None:
    """Departments and their groups exist (the data migration made them; this restores missing ones)."""
    for code in DepartmentCode:
        zh = DEPARTMENTS_ZH[code.value]
        with translation.override("en"):
            en = str(code.label)
        group, _ = Group.objects.get_or_create(name=f"{en} {zh}")
        Department.objects.get_or_create(code=code.value, defaults={"name_zh": zh, "name_en": en, "group": group})
    for name in [*POSITION_GROUPS.values(), AUDITORS_GROUP]:
        Group.objects.get_or_create(name=name)
    # Auditors read every record and verify its signatures.
    from django.contrib.auth.models import Permission

    audit = Permission.objects.filter(content_type__app_label="workflow", codename="audit_records").first()
    if audit is not None:
        Group.objects.get(name=AUDITORS_GROUP).permissions.add(audit)
