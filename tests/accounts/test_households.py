"""Households: one-time join codes, invites, leaving (permits stay), the housing-company import."""
import csv
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from maas.accounts import households
from maas.accounts.models import HouseholdChange, JoinCode
from tests.accounts.helpers import client_for


@pytest.fixture
def household(db):
    return households.create_household(address="Työpajankatu 2", apartment="A 12", block="KS-1")


def test_join_code_works_once(household, make_resident, resident_client):
    code = households.issue_join_code(household).code
    first = resident_client.post("/api/v1/me/household", {"code": code.lower()}, format="json")
    assert first.status_code == 200, first.content
    assert first.json()["household_detail"]["id"] == household.pk
    other = make_resident()
    second = client_for(other.user).post("/api/v1/me/household", {"code": code}, format="json",
                                         HTTP_ACCEPT_LANGUAGE="en")
    assert second.status_code == 400 and second.json()["error"]["code"] == "invalid_join_code"
    other.refresh_from_db()
    assert other.household_id is None
    row = JoinCode.objects.get(code=code)
    assert row.used_by_id == resident_client.resident.user_id and row.used_at is not None


def test_member_invites_another_resident_and_leaving_is_logged(household, make_resident, resident_client):
    households.join_household(resident_client.resident, households.issue_join_code(household).code)
    invite = resident_client.post("/api/v1/me/household/invite")
    assert invite.status_code == 201
    newcomer = make_resident()
    households.join_household(newcomer, invite.json()["code"])
    newcomer.refresh_from_db()
    assert newcomer.household_id == household.pk
    left = resident_client.delete("/api/v1/me/household")
    assert left.status_code == 200 and left.json()["household"] is None
    actions = list(HouseholdChange.objects.filter(household=household).order_by("id").values_list("action", flat=True))
    assert actions == ["joined", "joined", "left"]


def test_invite_without_household_is_refused(resident_client):
    response = resident_client.post("/api/v1/me/household/invite", HTTP_ACCEPT_LANGUAGE="fi")
    assert response.status_code == 403 and response.json()["error"]["code"] == "no_household"
    assert response.json()["error"]["message"] == "Et kuulu mihinkään kotitalouteen."


def test_leaving_keeps_the_households_permits(household, resident_client):
    from maas.parking.models import ParkingArea, Permit

    resident = resident_client.resident
    households.join_household(resident, households.issue_join_code(household).code)
    area = ParkingArea.objects.create(code="ks", name="Kalasatama", blocks="KS-1")
    permit = Permit.objects.create(resident=resident, household=household, area=area, plate="ABC-123",
                                   status=Permit.GRANTED, valid_from=date.today())
    assert resident_client.delete("/api/v1/me/household").status_code == 200
    permit.refresh_from_db()
    assert (permit.status, permit.household_id) == (Permit.GRANTED, household.pk)
    change = HouseholdChange.objects.get(household=household, action="left")
    assert "1 permit(s) stay with the household" in change.note


def test_import_households_writes_one_code_per_apartment(db, tmp_path):
    source = tmp_path / "list.csv"
    source.write_text("address,apartment,block\nKalasatamankatu 5,A 1,KS-1\nKalasatamankatu 5,A 2,KS-1\n")
    out = tmp_path / "codes.csv"
    call_command("import_households", str(source), codes_out=str(out))
    rows = list(csv.DictReader(out.open()))
    assert [r["apartment"] for r in rows] == ["A 1", "A 2"]
    assert len({r["code"] for r in rows}) == 2
    assert JoinCode.objects.filter(code__in=[r["code"] for r in rows], used_at__isnull=True).count() == 2


def test_import_households_names_file_row_and_field(db, tmp_path):
    source = tmp_path / "bad.csv"
    source.write_text("address,apartment\nKalasatamankatu 5,A 1\nKalasatamankatu 7,\n")
    with pytest.raises(CommandError, match=r"bad.csv: row 3: field 'apartment' is empty"):
        call_command("import_households", str(source), codes_out=str(tmp_path / "codes.csv"))
    from maas.accounts.models import Household
    assert not Household.objects.exists()  # nothing half-written
