"""Sign-in and permissions against our users (Django's ModelBackend), with the user's permissions read in one
query instead of two."""

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.db.models import Q


class UserBackend(ModelBackend):
    """Django's ModelBackend; `get_all_permissions` (what `has_perm` consults) reads the user's own and their
    groups' permissions in one query. Nearly every page asks one permission (auditors read every record),
    so that is one query less per page. `get_user_permissions` / `get_group_permissions` are Django's."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            if user_obj.is_superuser:
                perms = Permission.objects.all()
            else:
                perms = Permission.objects.filter(
                    Q(pk__in=Permission.user_set.through.objects.filter(user=user_obj).values("permission"))
                    | Q(pk__in=Permission.group_set.through.objects.filter(group__user=user_obj).values("permission"))
                )
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in perms.values_list("content_type__app_label", "codename")
            }
        return user_obj._perm_cache
