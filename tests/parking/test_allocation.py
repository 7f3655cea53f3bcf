"""Allocation rules: caps, facility capacity, waitlist order and promotion, lowering and raising caps."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from maas.api.errors import ApiError
from maas.parking import selectors, services
from maas.parking.models import CapChange, Notification, Permit

from .conftest import make_area, make_facility, make_residents

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("allocator")]


def test_per_household_cap_is_half_the_households_rounded_down(facility):
    residents = make_residents(5)
    area = make_area(facility=facility)
    assert selectors.area_usage(area)["cap"] == 2  # floor(5 * 0.5)
    statuses = [services.apply_for_permit(r, area.pk, plate=f"ABC-{i + 1}").status
                for i, r in enumerate(residents)]
    assert statuses == ["granted", "granted", "waitlisted", "waitlisted", "waitlisted"]
    usage = selectors.area_usage(area)
    assert (usage["used"], usage["waitlist"], usage["over_cap"]) == (2, 3, 0)


def test_waitlist_positions_follow_request_order(facility):
    residents = make_residents(4)
    area = make_area(absolute=1, facility=facility)
    permits = [services.apply_for_permit(r, area.pk, plate=f"XYZ-{i + 1}") for i, r in enumerate(residents)]
    assert [selectors.waitlist_position(p) for p in permits] == [None, 1, 2, 3]


def test_release_promotes_next_in_order_and_notifies(facility, django_capture_on_commit_callbacks, mailoutbox):
    residents = make_residents(4)
    area = make_area(absolute=2, facility=facility)
    permits = [services.apply_for_permit(r, area.pk, plate=f"CAR-{i + 1}") for i, r in enumerate(residents)]
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_permit(permits[1])
    for p in permits:
        p.refresh_from_db()
    assert [p.status for p in permits] == ["granted", "cancelled", "granted", "waitlisted"]
    assert selectors.waitlist_position(permits[3]) == 1
    note = Notification.objects.get()
    assert note.permit == permits[2] and note.kind == "permit_granted" and note.emailed
    assert [m.to for m in mailoutbox] == [[residents[2].user.email]]
    assert "CAR-3" in mailoutbox[0].body


def test_cancelling_a_waitlisted_permit_promotes_nobody(facility, django_capture_on_commit_callbacks):
    residents = make_residents(3)
    area = make_area(absolute=1, facility=facility)
    permits = [services.apply_for_permit(r, area.pk, plate=f"WL-{i + 1}") for i, r in enumerate(residents)]
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_permit(permits[1])
    assert selectors.waitlist_position(Permit.objects.get(pk=permits[2].pk)) == 1
    assert Notification.objects.count() == 0
    with pytest.raises(ApiError) as err:
        services.cancel_permit(permits[1])
    assert err.value.error_code == "permit_not_active"


def test_facility_capacity_limits_grants_even_under_a_higher_cap():
    facility = make_facility(car=2)
    residents = make_residents(4)
    area = make_area(absolute=10, facility=facility)
    statuses = [services.apply_for_permit(r, area.pk, plate=f"FC-{i + 1}").status for i, r in enumerate(residents)]
    assert statuses == ["granted", "granted", "waitlisted", "waitlisted"]


def test_reserved_park_and_ride_days_count_against_permit_capacity():
    facility = make_facility(car=2)
    [rider, a, b] = make_residents(3)
    services.reserve_park_and_ride(rider, facility.pk, day=timezone.localdate() + timedelta(days=3), plate="PR-1")
    area = make_area(absolute=5, facility=facility)
    assert services.apply_for_permit(a, area.pk, plate="P-1").status == "granted"
    assert services.apply_for_permit(b, area.pk, plate="P-2").status == "waitlisted"


def test_lowering_cap_below_use_keeps_permits_but_grants_nothing(
        facility, django_capture_on_commit_callbacks, django_user_model):
    admin = django_user_model.objects.create_superuser("boss", "boss@example.org", "pw")
    residents = make_residents(8)
    area = make_area(facility=facility)  # cap 4
    permits = [services.apply_for_permit(r, area.pk, plate=f"LC-{i + 1}") for i, r in enumerate(residents[:4])]
    assert all(p.status == "granted" for p in permits)

    area.spaces_per_household = Decimal("0.25")  # cap 2, use 4
    with django_capture_on_commit_callbacks(execute=True):
        usage = services.save_area(area, user=admin)
    assert (usage["cap"], usage["used"], usage["over_cap"]) == (2, 4, 2)
    assert Permit.objects.filter(area=area, status="granted").count() == 4  # nothing revoked
    change = CapChange.objects.get()
    assert (change.changed_by, change.old_cap, change.new_cap, change.used_at_change) == (admin, 4, 2, 4)
    assert (change.old_rule, change.new_rule) == ("0.50 per household", "0.25 per household")

    newcomer = services.apply_for_permit(residents[4], area.pk, plate="LC-5")
    assert newcomer.status == "waitlisted"
    # Releasing one (use 3 > cap 2) still grants nothing; releasing two more (use 1 < 2) grants one.
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_permit(permits[0])
    newcomer.refresh_from_db()
    assert newcomer.status == "waitlisted"
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_permit(permits[1])
        services.cancel_permit(permits[2])
    newcomer.refresh_from_db()
    assert newcomer.status == "granted"
    assert selectors.area_usage(area)["used"] == 2


def test_raising_cap_promotes_the_waitlist(facility, django_capture_on_commit_callbacks):
    residents = make_residents(3)
    area = make_area(absolute=1, facility=facility)
    permits = [services.apply_for_permit(r, area.pk, plate=f"RC-{i + 1}") for i, r in enumerate(residents)]
    area.absolute_cap = 3
    with django_capture_on_commit_callbacks(execute=True):
        services.save_area(area)
    assert [Permit.objects.get(pk=p.pk).status for p in permits] == ["granted"] * 3
    assert CapChange.objects.get().new_rule == "absolute 3"


def test_household_limit_plate_and_eligibility_errors(facility):
    [a, b] = make_residents(2)
    [outsider] = make_residents(1, block="ELSEWHERE", prefix="o")
    area = make_area(facility=facility)
    services.apply_for_permit(a, area.pk, plate="abc 123")
    assert Permit.objects.get().plate == "ABC-123"
    with pytest.raises(ApiError) as err:
        services.apply_for_permit(a, area.pk, plate="DEF-456")
    assert err.value.error_code == "household_limit" and err.value.status_code == 409
    with pytest.raises(ApiError) as err:
        services.apply_for_permit(b, area.pk, plate="ABC-123")
    assert err.value.error_code == "plate_unavailable"  # another household's permit is not named
    with pytest.raises(ApiError) as err:
        services.apply_for_permit(outsider, area.pk, plate="GHI-789")
    assert err.value.error_code == "not_in_area" and err.value.status_code == 403
    with pytest.raises(ApiError) as err:
        services.apply_for_permit(b, area.pk, plate="!!")
    assert err.value.error_code == "invalid_plate"


def test_expired_permits_free_their_space_and_snapshots_record_use(facility):
    residents = make_residents(2)
    area = make_area(absolute=1, facility=facility)
    today = timezone.localdate()
    first = services.apply_for_permit(residents[0], area.pk, plate="EX-1", valid_until=today + timedelta(days=1))
    second = services.apply_for_permit(residents[1], area.pk, plate="EX-2")
    [snap] = services.record_utilization_snapshots()
    assert (snap.day, snap.cap, snap.used, snap.waitlist) == (today, 1, 1, 1)
    assert services.expire_permits(today=today + timedelta(days=2)) == 1
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("expired", "granted")


def test_facility_capacity_is_counted_per_vehicle_type():
    """An ELECTRIC_CAR area is limited by the facility's ELECTRIC_CAR spaces; CAR permits there don't use them."""
    from maas.parking.models import FacilityCapacity

    facility = make_facility(car=2)
    FacilityCapacity.objects.create(facility=facility, capacity_type="ELECTRIC_CAR", capacity=1)
    residents = make_residents(6)
    cars = make_area(code="cars", absolute=10, facility=facility)
    electric = make_area(code="ev", absolute=10, facility=facility, capacity_type="ELECTRIC_CAR")
    car_statuses = [services.apply_for_permit(r, cars.pk, plate=f"CAR-{i}").status
                    for i, r in enumerate(residents[:3])]
    ev_statuses = [services.apply_for_permit(r, electric.pk, plate=f"EV-{i}").status
                   for i, r in enumerate(residents[3:])]
    assert car_statuses == ["granted", "granted", "waitlisted"]
    assert ev_statuses == ["granted", "waitlisted", "waitlisted"]
    assert Permit.objects.get(plate="EV-0").facility_id == facility.pk


def test_area_without_facility_is_limited_by_its_cap_only():
    residents = make_residents(3)
    area = make_area(absolute=2)
    assert [services.apply_for_permit(r, area.pk, plate=f"NF-{i}").status for i, r in enumerate(residents)] == [
        "granted", "granted", "waitlisted"]
    assert Permit.objects.get(plate="NF-0").facility_id is None


def test_closed_facility_grants_nothing_until_it_reopens(django_capture_on_commit_callbacks):
    facility = make_facility(car=10, status="TEMPORARILY_CLOSED")
    residents = make_residents(2)
    area = make_area(absolute=5, facility=facility)
    first = services.apply_for_permit(residents[0], area.pk, plate="CL-1")
    assert first.status == "waitlisted"
    facility.status = "IN_OPERATION"
    facility.save()
    assert [p.pk for p in services.promote_waitlist(area.pk)] == [first.pk]
    assert services.apply_for_permit(residents[1], area.pk, plate="CL-2").status == "granted"


def test_waitlisted_applications_whose_period_has_ended_are_not_promoted(facility):
    residents = make_residents(3)
    area = make_area(absolute=1, facility=facility)
    today = timezone.localdate()
    holder = services.apply_for_permit(residents[0], area.pk, plate="PE-1")
    short = services.apply_for_permit(residents[1], area.pk, plate="PE-2", valid_until=today + timedelta(days=1))
    later = services.apply_for_permit(residents[2], area.pk, plate="PE-3")
    assert (short.status, later.status) == ("waitlisted", "waitlisted")
    Permit.objects.filter(pk=holder.pk).update(valid_until=today + timedelta(days=1))
    # Two days on: the holder's permit is over and so is the short application's period.
    assert services.expire_permits(today=today + timedelta(days=2)) == 2
    statuses = dict(Permit.objects.values_list("plate", "status"))
    assert statuses == {"PE-1": "expired", "PE-2": "expired", "PE-3": "granted"}


def test_promotion_skips_an_application_whose_period_ended_while_waiting(facility):
    residents = make_residents(3)
    area = make_area(absolute=1, facility=facility)
    holder, stale, fresh = [services.apply_for_permit(r, area.pk, plate=f"ST-{i}") for i, r in enumerate(residents)]
    Permit.objects.filter(pk=stale.pk).update(valid_until=timezone.localdate() - timedelta(days=1))
    services.cancel_permit(holder)
    assert [p.pk for p in services.promote_waitlist(area.pk)] == [fresh.pk]
    stale.refresh_from_db()
    assert stale.status == "expired" and stale.ended_at is not None


def test_a_release_at_a_shared_facility_promotes_the_other_areas_waitlist(django_capture_on_commit_callbacks):
    facility = make_facility(car=2)
    [a1, a2, b1] = make_residents(3)
    area_a = make_area(code="a", absolute=5, facility=facility)
    area_b = make_area(code="b", absolute=5, facility=facility)
    first = services.apply_for_permit(a1, area_a.pk, plate="SA-1")
    services.apply_for_permit(a2, area_a.pk, plate="SA-2")
    waiting = services.apply_for_permit(b1, area_b.pk, plate="SB-1")
    assert waiting.status == "waitlisted"  # the facility is full, area b's cap is not
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_permit(first)  # area a has nobody waiting
    waiting.refresh_from_db()
    assert (waiting.status, waiting.facility_id) == ("granted", facility.pk)


def test_a_cancelled_reservation_frees_its_space_for_the_waitlist(django_capture_on_commit_callbacks):
    facility = make_facility(car=1)
    [rider, applicant] = make_residents(2)
    reservation = services.reserve_park_and_ride(rider, facility.pk, day=timezone.localdate() + timedelta(days=2),
                                                 plate="RV-1")
    area = make_area(absolute=5, facility=facility)
    permit = services.apply_for_permit(applicant, area.pk, plate="RV-2")
    assert permit.status == "waitlisted"
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_reservation(reservation)
    permit.refresh_from_db()
    assert permit.status == "granted"


def test_one_vehicle_written_two_ways_is_one_plate(facility):
    [a, b] = make_residents(2)
    area = make_area(absolute=5, facility=facility)
    assert services.apply_for_permit(a, area.pk, plate="xyz123").plate == "XYZ-123"
    with pytest.raises(ApiError) as err:
        services.apply_for_permit(b, area.pk, plate="XYZ-123")
    assert err.value.error_code == "plate_unavailable"
    assert [services.normalize_plate(p) for p in ["abc 12", "CD-1234", "12ab", "EV-1"]] == [
        "ABC-12", "CD-1234", "12AB", "EV-1"]


@pytest.mark.parametrize("allocator", ["sql", "orm"])
def test_only_the_plates_own_household_hears_it_holds_a_permit(facility, settings, allocator):
    from django.utils import translation

    from maas.accounts import services as accounts

    settings.PARKING_ALLOCATOR = allocator
    area = make_area(absolute=5, facility=facility, max_permits_per_household=2)
    home = accounts.create_household(address="Työpajankatu 9", block="KS-1")
    [parent, child] = [accounts.register_resident(email=f"{who}@example.org", password=None, household=home)
                       for who in ("parent", "child")]
    [neighbour] = make_residents(1, prefix="n")
    services.apply_for_permit(parent, area.pk, plate="KAL-1")
    with pytest.raises(ApiError) as own, translation.override("en"):
        services.apply_for_permit(child, area.pk, plate="KAL-1")
    assert (own.value.error_code, str(own.value.detail)) == (
        "plate_taken", "This vehicle already has a permit or application in this area.")
    with pytest.raises(ApiError) as other:
        services.apply_for_permit(neighbour, area.pk, plate="kal 1")
    assert other.value.error_code == "plate_unavailable" and other.value.status_code == 409
    assert "permit or application" not in str(other.value.detail) and other.value.details == {"plate": "KAL-1"}


def test_promotion_notice_is_in_the_residents_language(facility, django_capture_on_commit_callbacks, mailoutbox):
    residents = make_residents(2)
    residents[1].language = "sv"
    residents[1].save(update_fields=["language"])
    area = make_area(absolute=1, facility=facility)
    permits = [services.apply_for_permit(r, area.pk, plate=f"SV-{i + 1}") for i, r in enumerate(residents)]
    with django_capture_on_commit_callbacks(execute=True):
        services.cancel_permit(permits[0])
    note = Notification.objects.get()
    assert note.message == f"Ditt parkeringstillstånd för SV-2 i {area.name} har beviljats."
    assert mailoutbox[0].subject == "Parkering i Fiskehamnen"


@pytest.mark.django_db(transaction=True)
def test_promotion_notices_are_written_after_the_area_lock_is_released(monkeypatch):
    """The area row is locked for the grants only: when a resident's notice is written, another connection
    can lock the area at once (NOWAIT)."""
    import threading

    from django.db import DatabaseError, connection

    from maas.parking.services import waitlist

    facility = make_facility()
    residents = make_residents(2)
    area = make_area(absolute=1, facility=facility)
    first = services.apply_for_permit(residents[0], area.pk, plate="LCK-1")
    services.apply_for_permit(residents[1], area.pk, plate="LCK-2")
    Permit.objects.filter(pk=first.pk).update(status=Permit.CANCELLED)  # frees the space, nothing scheduled
    seen = []

    def try_lock():
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT id FROM parking_parkingarea WHERE id = %s FOR UPDATE NOWAIT", [area.pk])
            seen.append("free")
        except DatabaseError:
            seen.append("locked")
        finally:
            connection.close()

    original = waitlist.notify

    def notify(permit, kind, message):
        other = threading.Thread(target=try_lock)
        other.start()
        other.join()
        return original(permit, kind, message)

    monkeypatch.setattr(waitlist, "notify", notify)
    promoted = services.promote_waitlist(area.pk)
    assert [p.plate for p in promoted] == ["LCK-2"]
    assert seen == ["free"]
    assert Notification.objects.get().permit_id == promoted[0].pk


def test_a_promotion_notice_is_queued_with_its_grant_and_written_once(facility, mailoutbox):
    """The notice is an outbox message committed with the grant (a worker dying after the commit loses no
    notice); delivered twice, it is written and emailed once."""
    from maas.outbox.models import OutboxMessage

    residents = make_residents(2)
    area = make_area(absolute=1, facility=facility)
    first = services.apply_for_permit(residents[0], area.pk, plate="OBX-1")
    services.apply_for_permit(residents[1], area.pk, plate="OBX-2")
    Permit.objects.filter(pk=first.pk).update(status=Permit.CANCELLED)
    promoted = services.promote_waitlist(area.pk)  # on_commit callbacks never run here: nothing is sent
    assert [p.plate for p in promoted] == ["OBX-2"]
    message = OutboxMessage.objects.get(task="parking.notify_granted")
    assert message.args == [promoted[0].pk] and message.sent_at is None
    assert Notification.objects.count() == 0
    services.notify_granted(promoted[0].pk)
    assert services.notify_granted(promoted[0].pk) is None
    note = Notification.objects.get()
    assert (note.permit_id, note.kind) == (promoted[0].pk, "permit_granted")
    assert "OBX-2" in note.message
