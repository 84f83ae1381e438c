import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client, override_settings

from nhcs.accounts.models import Department, User

ROOT = Path(__file__).resolve().parents[2]


def test_departments_and_groups_come_from_migrations(db):
    assert list(Department.objects.values_list("name_zh", flat=True)) == [
        "营销部",
        "计划物流部",
        "技术工艺部",
        "研发部",
        "采购部",
        "品质部",
        "制造部",
        "仓库",
        "总经办",
    ]
    assert all(d.group_id for d in Department.objects.all())


def test_seed_demo_is_idempotent_and_puts_users_in_groups(demo):
    call_command("seed_demo", force=True, stdout=open(os.devnull, "w"))
    expected = {
        "sales",
        "sales_head",
        "planner",
        "planning_head",
        "engineer",
        "buyer",
        "rd",
        "qa",
        "qa_head",
        "mfg",
        "warehouse",
        "vgm",
        "gm",
        "admin",
    }
    assert set(User.objects.values_list("username", flat=True)) == expected
    sales_head = User.objects.get(username="sales_head")
    assert set(sales_head.groups.values_list("name", flat=True)) == {"Sales & Marketing 营销部", "Department heads"}
    assert User.objects.get(username="admin").is_superuser
    assert sales_head.check_password("demo1234")


@override_settings(DEBUG=False)
def test_seed_demo_refuses_in_production(db):
    with pytest.raises(CommandError):
        call_command("seed_demo", stdout=open(os.devnull, "w"))
    assert not User.objects.exists()


def test_login_page_is_chinese_by_default(db):
    page = Client().get("/accounts/login/").content.decode()
    assert '<html lang="zh-hans">' in page and "登录" in page


def test_home_requires_login_and_greets(demo, client_for):
    assert Client().get("/").status_code == 302
    page = client_for(demo["sales"]).get("/").content.decode()
    assert "王销售" in page and 'id="nav-areas"' in page


def test_language_switch_to_english(demo, client_for):
    client = client_for(demo["sales"])
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page and "My tasks" in page and "Log out" in page


def test_navigation_links_only_to_pages_that_exist(demo, client_for):
    import re

    client = client_for(demo["sales"])
    page = client.get("/").content.decode()
    links = re.findall(r'data-nav="[^"]+"|href="(/[^"]*)" data-nav', page)
    hrefs = re.findall(r'<a class="nav-link[^"]*" href="([^"]+)" data-nav', page)
    assert hrefs, links
    for href in hrefs:
        assert client.get(href).status_code == 200, href


@pytest.mark.parametrize("language,text", [("zh-hans", "未找到"), ("en", "Not found")])
def test_404_page_in_both_languages(demo, client_for, language, text):
    client = client_for(demo["sales"])
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and text in response.content.decode()


@pytest.mark.parametrize("language,text", [("zh-hans", "不允许"), ("en", "Not allowed")])
def test_403_page_in_both_languages(demo, client_for, language, text):
    from tests.workflow.helpers import new_memo

    memo = new_memo(demo["sales"])
    client = client_for(demo["qa"])
    client.post("/i18n/setlang/", {"language": language, "next": "/"})
    response = client.get(f"/flowtest/memos/{memo.pk}/edit/")
    assert response.status_code == 403 and text in response.content.decode()


def test_500_page_renders_without_database(rf):
    from nhcs.core.views import error_500

    response = error_500(rf.get("/"))
    assert response.status_code == 500 and b"500" in response.content


def test_check_deploy_passes_with_production_settings(tmp_path):
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},  # set for live_server only
        "DJANGO_SETTINGS_MODULE": "nhcs.settings",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 64 + "production-only-secret-!@#$%^&*()",
        "ALLOWED_HOSTS": "nhcs.example.com",
        "NHCS_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_refuses_to_start_without_secret_key(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "nhcs.settings",
        "DEBUG": "false",
        "SECRET_KEY": "",
        "NHCS_VAR_DIR": str(tmp_path),
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr


def test_date_pickers_get_iso_values_in_chinese():
    import datetime

    from django.utils import translation

    from nhcs.core.widgets import DateInput

    with translation.override("zh-hans"):
        html = DateInput().render("d", datetime.date(2026, 11, 26))
    assert 'type="date"' in html and 'value="2026-11-26"' in html
