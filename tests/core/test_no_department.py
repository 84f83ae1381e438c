"""A user without a department is denied consistently: no list of any area (404), no record (404), and the
home page and their own tasks work. (The probe: such a user saw the order list but not the orders.)"""

import pytest

from nhcs.accounts.models import User

pytestmark = pytest.mark.django_db

LISTS = ["/orders/", "/orders/shipments/", "/orders/shipments/log/", "/surveys/", "/actions/", "/customers/"]


def test_a_user_without_a_department_gets_no_list_and_no_record(demo, client_for):
    nobody = User.objects.create_user("nodept", password="x-Long-pass-123")
    client = client_for(nobody)
    assert client.get("/").status_code == 200
    assert client.get("/tasks/").status_code == 200
    answers = {url: client.get(url).status_code for url in LISTS}
    assert answers == {url: 404 for url in LISTS}
    assert client.get("/orders/sheets/review-detail.xlsx").status_code == 404
    page = client.get("/").content.decode()
    assert 'data-nav="orders"' in page  # the navigation is the same for all; the lists say 404
