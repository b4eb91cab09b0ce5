"""Issue 2: every login that `make demo` prints works and lands on its role's home page."""

from urllib.parse import urlparse

import pytest
from django.test import Client, override_settings

from motcua.org.demo import demo_load, demo_login_rows, linked_demo_load

pytestmark = pytest.mark.django_db


@override_settings(MOTCUA_STAFF_2FA_REQUIRED=False)  # as in the demo settings
def test_each_printed_demo_login_lands_on_its_home_page():
    demo_load()
    linked_demo_load()  # the Social Security officers `make demo` adds with the bundles
    rows = list(demo_login_rows())
    assert len(rows) >= 9
    for _label, username, password, login_url, home_url in rows:
        client = Client()
        response = client.post(
            urlparse(login_url).path, {"identifier": username, "password": password}, follow=True
        )
        assert response.status_code == 200, username
        assert response.request["PATH_INFO"] == urlparse(home_url).path, username
        assert response.context["user"].username == username
