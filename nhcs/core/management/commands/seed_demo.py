from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from nhcs.accounts.choices import Position
from nhcs.accounts.models import Department, User
from nhcs.accounts.services import reference_data_ensure, user_create, user_sync_groups
from nhcs.customers.demo import ensure_customers

PASSWORD = "demo1234"

# username, department, position, name on records
DEMO_USERS = [
    ("sales", "SALES", Position.STAFF, "王销售"),
    ("sales_head", "SALES", Position.HEAD, "李营销经理"),
    ("planner", "PLAN", Position.STAFF, "陈计划"),
    ("planning_head", "PLAN", Position.HEAD, "周计划经理"),
    ("engineer", "ENG", Position.STAFF, "赵工艺"),
    ("buyer", "PUR", Position.STAFF, "孙采购"),
    ("rd", "RD", Position.STAFF, "吴研发"),
    ("qa", "QA", Position.STAFF, "郑品质"),
    ("qa_head", "QA", Position.HEAD, "冯品质经理"),
    ("mfg", "MFG", Position.STAFF, "何制造"),
    ("warehouse", "WH", Position.STAFF, "林仓管"),
    ("vgm", "GMO", Position.VGM, "黄副总"),
    ("gm", "GMO", Position.GM, "刘总经理"),
]


class Command(BaseCommand):
    help = "Create the demo users (password demo1234) and customers. Idempotent; refuses in production."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even when DEBUG is off.")
        parser.add_argument(
            "--people-only", action="store_true", help="Only departments, users and customers; no area records."
        )

    @transaction.atomic
    def handle(self, *args, force=False, people_only=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG is off: refusing to create demo users with a known password. Use --force.")
        reference_data_ensure()
        created = 0
        for username, dept, position, name in DEMO_USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user_create(
                    username=username,
                    password=PASSWORD,
                    department_code=dept,
                    position=position,
                    display_name=name,
                    email=f"{username}@nhcs.example",
                )
                created += 1
            else:
                user_sync_groups(user=user)
        if not User.objects.filter(username="admin").exists():
            user_create(
                username="admin",
                password=PASSWORD,
                department_code="GMO",
                position=Position.STAFF,
                display_name="系统管理员",
                email="admin@nhcs.example",
                is_superuser=True,
            )
            created += 1
        # The department hierarchy: the deputy GM is in charge of every department (admin-editable).
        vgm = User.objects.filter(username="vgm").first()
        if vgm is not None:
            Department.objects.filter(deputy_gm=None).update(deputy_gm=vgm)
        ensure_customers()
        if not people_only:
            for hook in seed_hooks():
                hook(stdout=self.stdout)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready ({created} users created). Password: {PASSWORD}"))


def seed_hooks():
    """Areas add their own demo data through `seed_demo` on their AppConfig."""
    from django.apps import apps

    return [config.seed_demo for config in apps.get_app_configs() if hasattr(config, "seed_demo")]
