"""The calendar in the admin: supervisors keep it (each change recorded), officers read it."""

import pytest
from django.test import Client

from compliance.models import DecisionRecord, PublicHoliday

pytestmark = pytest.mark.django_db
ADD = "/admin/compliance/publicholiday/add/"


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_supervisor_adds_a_decreed_day_and_it_is_recorded(supervisor):
    response = signed_in(supervisor).post(
        ADD, {"date": "2028-02-14", "name": "Collective leave", "kind": "collective_leave"}
    )
    assert response.status_code == 302
    day = PublicHoliday.objects.get(date="2028-02-14")
    assert DecisionRecord.objects.filter(action="publicholiday.save", object_id=str(day.pk))


def test_a_day_already_on_the_calendar_is_refused_naming_the_field(supervisor):
    response = signed_in(supervisor).post(
        ADD, {"date": "2022-08-17", "name": "Twice", "kind": "public"}
    )
    assert response.status_code == 200
    assert "Public holiday with this Date already exists." in response.content.decode()
    assert PublicHoliday.objects.filter(date="2022-08-17").count() == 1


def test_officers_read_the_calendar_but_do_not_change_it(officer):
    client = signed_in(officer)
    assert client.get("/admin/compliance/publicholiday/").status_code == 200
    assert client.get(ADD).status_code == 403
