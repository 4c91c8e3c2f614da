"""The console is the clerk's home: desk staff land on today's desk, the generic admin index one link away."""

import pytest
from django.contrib.auth.models import User

from .conftest import at

pytestmark = pytest.mark.django_db
DESK = "/admin/frontdesk/stay/desk/"


def test_a_clerk_logging_in_lands_on_the_desk(client, clerk):
    response = client.post("/admin/login/?next=/admin/", {"username": "maria", "password": "pw"}, follow=True)
    assert response.redirect_chain[-1] == (DESK, 302)
    assert response.status_code == 200 and "Arrivals (" in response.content.decode()


def test_opening_the_admin_index_takes_desk_staff_to_the_desk(clerk_client):
    response = clerk_client.get("/admin/")
    assert (response.status_code, response["Location"]) == (302, DESK)


def test_a_manager_lands_on_the_desk_too(manager_client):
    assert manager_client.get("/admin/")["Location"] == DESK


def test_the_generic_index_stays_one_link_away(clerk_client, seed_stay, next_friday):
    with at(next_friday, 10):
        desk = clerk_client.get(DESK).content.decode()
    assert 'href="/admin/?all=1">All admin</a>' in desk
    assert clerk_client.get("/admin/?all=1").status_code == 200


def test_a_superuser_keeps_the_admin_index(client, nyc):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "pw"))
    response = client.get("/admin/")
    assert response.status_code == 200 and "Site administration" in response.content.decode()


def test_staff_outside_the_desk_groups_keep_the_admin_index(client, nyc):
    client.force_login(User.objects.create_user("accountant", password="pw", is_staff=True))
    assert client.get("/admin/").status_code == 200


def test_the_nav_bar_links_the_console_pages_that_exist(clerk_client, nyc):
    page = clerk_client.get(DESK).content.decode()
    start = page.index('<nav class="console-nav"')
    nav = page[start:page.index("</nav>", start)]
    for label, url in [("Desk", DESK), ("Rack", "/admin/frontdesk/stay/rack/"),
                       ("Housekeeping", "/admin/frontdesk/stay/housekeeping/")]:
        assert f'href="{url}?hotel=NYC"' in nav and f">{label}</a>" in nav
    assert 'aria-current="page">Desk</a>' in nav
    assert 'action="/admin/frontdesk/stay/search/"' in nav  # the one search box, on every console page
