"""Desk users for the console tests: a clerk (Front desk) and a manager (Front office manager) of the NYC hotel."""

import pytest
from django.contrib.auth.models import Group, User
from django.core.management import call_command

from frontdesk.permissions import FRONT_DESK_GROUP, FRONT_OFFICE_MANAGER_GROUP


def desk_user(hotel, username, group_name):
    if not Group.objects.filter(name=group_name).exists():  # a flush by a transactional test removes it
        call_command("front_desk_group", verbosity=0)
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    hotel.staff.add(user)
    return user


@pytest.fixture
def clerk(nyc):
    return desk_user(nyc, "maria", FRONT_DESK_GROUP)


@pytest.fixture
def manager(nyc):
    return desk_user(nyc, "olivia", FRONT_OFFICE_MANAGER_GROUP)


@pytest.fixture
def clerk_client(client, clerk):
    client.force_login(clerk)
    return client


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client
