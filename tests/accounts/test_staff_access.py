"""Staff opening a resident's personal data in the admin is logged: who, when, what."""
from django.utils import timezone

from maas.accounts.models import StaffAccess


def test_opening_a_resident_in_the_admin_is_logged(client, django_user_model, resident):
    staff = django_user_model.objects.create_superuser("clerk", "clerk@example.org", "clerk-pass-123")
    client.force_login(staff)
    before = timezone.now()
    assert client.get(f"/admin/accounts/resident/{resident.pk}/change/").status_code == 200
    assert client.get(f"/admin/auth/user/{resident.user_id}/change/").status_code == 200
    assert client.get("/admin/accounts/resident/").status_code == 200  # the list shows no personal details
    rows = list(StaffAccess.objects.order_by("id").values_list("staff_label", "resident_id", "what"))
    assert rows == [
        ("clerk", resident.pk, f"admin accounts.Resident #{resident.pk} (change page)"),
        ("clerk", resident.pk, f"admin auth.User #{resident.user_id} (change page)"),
    ]
    after = timezone.now()
    assert all(before <= row.at <= after for row in StaffAccess.objects.all())


def test_resident_admin_issues_join_codes_and_shows_changes(client, django_user_model):
    from maas.accounts import households
    from maas.accounts.models import JoinCode

    staff = django_user_model.objects.create_superuser("clerk", "clerk@example.org", "clerk-pass-123")
    client.force_login(staff)
    household = households.create_household(address="Capellan puistotie 7", apartment="B 4")
    response = client.post("/admin/accounts/household/", {"action": "issue_join_codes",
                                                          "_selected_action": [household.pk]}, follow=True)
    assert response.status_code == 200
    code = JoinCode.objects.get(household=household)
    assert code.created_by == staff and code.code in response.content.decode()


def test_opening_a_residents_permit_booking_or_invoice_is_logged(client, django_user_model, resident):
    from tests.accounts import factories

    staff = django_user_model.objects.create_superuser("auditor", "auditor@example.org", "audit-pass-123")
    client.force_login(staff)
    permit, booking = factories.permit(resident), factories.booking(resident.user)
    invoice = factories.invoice(resident.user)
    for url in (f"/admin/parking/permit/{permit.pk}/change/", f"/admin/bookings/booking/{booking.pk}/change/",
                f"/admin/billing/invoice/{invoice.pk}/change/"):
        assert client.get(url).status_code == 200, url
    whats = list(StaffAccess.objects.filter(resident=resident).order_by("id").values_list("what", flat=True))
    assert [w.split(" #")[0] for w in whats] == ["admin parking.Permit", "admin bookings.Booking",
                                                  "admin billing.Invoice"]
