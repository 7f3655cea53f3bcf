"""Provider registry in the admin: issuing a key shows it once; saving schedules the pull."""
import pytest
from django.contrib.auth import get_user_model
from django_celery_beat.models import PeriodicTask

from providers import services
from providers.models import Provider, ProviderApiKey


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-123456789")
    client.force_login(user)
    return client


def test_admin_add_provider_schedules_sync_and_issues_key(admin_client):
    resp = admin_client.post("/admin/providers/provider/add/", {
        "name": "Citybikes", "kind": "bike_share", "gbfs_url": "http://127.0.0.1:9/gbfs.json",
        "booking_api_url": "", "active": "on",
        "api_keys-TOTAL_FORMS": "0", "api_keys-INITIAL_FORMS": "0"})
    assert resp.status_code == 302, resp.content[:2000]
    provider = Provider.objects.get(name="Citybikes")
    assert PeriodicTask.objects.get(name=services.sync_task_name(provider)).interval.every == 60

    resp = admin_client.post("/admin/providers/provider/", {
        "action": "issue_api_key", "_selected_action": [provider.pk]}, follow=True)
    record = ProviderApiKey.objects.get(provider=provider)
    shown = [str(m) for m in resp.context["messages"] if "New API key" in str(m)]
    assert len(shown) == 1 and f"pk_{record.prefix}." in shown[0]
    raw = shown[0].rsplit(" ", 1)[1]
    assert services.authenticate_key(raw) == record
    assert raw not in ProviderApiKey.objects.values_list("key_hash", flat=True)
    assert admin_client.get(f"/admin/providers/provider/{provider.pk}/change/").status_code == 200

    admin_client.post("/admin/providers/providerapikey/", {"action": "revoke", "_selected_action": [record.pk]})
    assert services.authenticate_key(raw) is None


def test_push_only_provider_has_no_schedule(db):
    provider = services.register_provider(name="Taxi", kind="taxi")
    assert provider.push_only and not PeriodicTask.objects.filter(name=services.sync_task_name(provider)).exists()
    sweep = PeriodicTask.objects.get(name=services.STALE_SWEEP_TASK)
    assert (sweep.task, sweep.interval.every) == ("providers.mark_stale_providers", 60)
