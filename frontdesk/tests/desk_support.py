"""Desk users for the console tests (the clerk and manager fixtures of conftest.py use it)."""

from django.contrib.auth.models import Group, User
from django.core.management import call_command


def desk_user(hotel, username, group_name):
    if not Group.objects.filter(name=group_name).exists():  # a flush by a transactional test removes it
        call_command("front_desk_group", verbosity=0)
    user = User.objects.create_user(username, password="pw", is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    hotel.staff.add(user)
    return user
