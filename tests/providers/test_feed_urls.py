"""Provider feed URLs go through maas.outbound: refused before any connection, in the admin too.

Refused targets are validated, never connected to; the only server is the GBFS one on 127.0.0.1.
"""
import pytest
from django.contrib.auth import get_user_model

from providers import services, tasks
from providers.models import Provider
from providers.sync import FeedRefused, sync_provider


@pytest.fixture
def hsl(db, gbfs_server):
    url = gbfs_server.serve("otp_helsinki_v1")
    return services.register_provider(name="HSL", kind="bike_share", gbfs_url=url)


def test_loopback_feed_refused_without_allow_list(hsl, gbfs_server, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    with pytest.raises(FeedRefused, match=r"address not allowed \(loopback\)"):
        sync_provider(hsl)
    assert gbfs_server.hits == {}  # nothing was sent
    hsl.refresh_from_db()
    assert hsl.last_error == f"{hsl.gbfs_url}: 127.0.0.1: address not allowed (loopback)"


@pytest.mark.parametrize("inner", ["http://169.254.169.254/latest/meta-data/", "http://10.1.2.3:6379/",
                                   "file:///etc/passwd"])
def test_urls_inside_gbfs_json_are_checked(hsl, gbfs_server, inner):
    gbfs = gbfs_server.document("gbfs")
    gbfs["data"]["en"]["feeds"] = [{"name": "station_information", "url": inner}]
    gbfs_server.overrides["gbfs"] = gbfs
    with pytest.raises(FeedRefused):
        sync_provider(hsl)
    hsl.refresh_from_db()
    assert hsl.last_error.startswith(f"{inner}: ") and hsl.current_snapshot_id is None


def test_manifest_pointing_inside_is_refused(db, gbfs_server):
    gbfs_server.serve("entur_validator_fixtures_v3.0")
    manifest = gbfs_server.document("manifest")
    for ds in manifest["data"]["datasets"]:
        for v in ds["versions"]:
            v["url"] = "http://[fd00::5]/gbfs.json"
    gbfs_server.overrides["manifest"] = manifest
    p = services.register_provider(name="Entur", kind="car_share", gbfs_url=f"{gbfs_server.base}/manifest.json")
    with pytest.raises(FeedRefused, match="private"):
        sync_provider(p)


def test_refused_feed_is_not_retried(hsl, gbfs_server, settings, monkeypatch):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    monkeypatch.setitem(tasks.sync_provider.app.conf, "task_eager_propagates", False)
    runs = []
    monkeypatch.setattr(tasks, "run_sync", lambda p: runs.append(p.pk) or sync_provider(p))
    result = tasks.sync_provider.apply(args=[hsl.pk], throw=False)
    assert result.state == "FAILURE" and isinstance(result.result, FeedRefused)
    assert runs == [hsl.pk] and gbfs_server.hits == {}


def test_internal_answer_never_echoed_in_last_error(hsl, gbfs_server):
    gbfs_server.status["gbfs"] = 500  # the server's body is '{}'; last_error says the status only
    with pytest.raises(Exception):
        sync_provider(hsl)
    hsl.refresh_from_db()
    assert hsl.last_error == f"{hsl.gbfs_url}: HTTP 500"


@pytest.fixture
def admin_client(client, db):
    user = get_user_model().objects.create_superuser("root", "root@example.org", "pw-123456789")
    client.force_login(user)
    return client


def _add(admin_client, **urls):
    return admin_client.post("/admin/providers/provider/add/", {
        "name": "Feeds", "kind": "bike_share", "gbfs_url": "", "booking_api_url": "", "active": "on",
        "api_keys-TOTAL_FORMS": "0", "api_keys-INITIAL_FORMS": "0", **urls})


@pytest.mark.parametrize("field,url,reason", [
    ("gbfs_url", "http://127.0.0.1:5432/", "loopback"),
    ("gbfs_url", "http://169.254.169.254/latest/meta-data/", "link-local"),
    ("booking_api_url", "http://192.168.0.1/tomp", "private"),
    ("gbfs_url", "ftp://93.184.216.34/gbfs.json", "only http and https"),
])
def test_admin_refuses_internal_urls(admin_client, settings, field, url, reason):
    settings.OUTBOUND_ALLOWED_NETWORKS = []
    resp = _add(admin_client, **{field: url})
    assert resp.status_code == 200
    errors = resp.context["adminform"].form.errors
    assert reason in " ".join(errors[field]) and not Provider.objects.exists()


def test_admin_accepts_public_and_allow_listed_urls(admin_client, settings):
    settings.OUTBOUND_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    resp = _add(admin_client, gbfs_url="http://127.0.0.1:9/gbfs.json", booking_api_url="https://93.184.216.34/tomp")
    assert resp.status_code == 302
    assert Provider.objects.get(name="Feeds").booking_api_url == "https://93.184.216.34/tomp"
