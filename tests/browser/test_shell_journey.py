import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_sales_logs_in_in_chinese_switches_to_english_and_logs_out(page, live_people):
    page.goto(f"{live_people.url}/accounts/login/")
    expect(page.locator("h1")).to_have_text("登录")
    live_people(page, "sales")
    expect(page.locator("#nav-areas")).to_contain_text("我的待办")
    page.select_option("#language-select", "en")
    page.wait_for_load_state()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("#nav-areas")).to_contain_text("My tasks")
    expect(page.locator("h1")).to_contain_text("Welcome")
    live_people.logout(page)
    expect(page).to_have_url(re.compile(r"/accounts/login/"))
    expect(page.locator("h1")).to_have_text("Log in")


def test_wrong_password_says_so_and_keeps_the_username(page, live_people):
    page.goto(f"{live_people.url}/accounts/login/")
    page.fill("input[name=username]", "sales")
    page.fill("input[name=password]", "wrong")
    page.click("#login-form button[type=submit]")
    expect(page.locator("input[name=username]")).to_have_value("sales")
    expect(page.locator(".alert-danger")).to_be_visible()


def test_phone_sized_window_has_a_menu_button(page, live_people):
    page.set_viewport_size({"width": 390, "height": 844})
    live_people(page, "sales")
    toggler = page.locator(".navbar-toggler")
    expect(toggler).to_be_visible()
    toggler.click()
    expect(page.locator("#nav-areas")).to_be_visible()
