"""Activation swaps atomically and keeps exactly one active version per feed name."""
import io

import pytest
from django.core.management import call_command
from django.db import IntegrityError, transaction

from planner import selectors, services
from planner.engines.embedded.artifacts import artifact_paths
from planner.models import FeedVersion, StopTime


def run(*args):
    call_command("import_gtfs", *map(str, args), "--no-progress", stdout=io.StringIO())


@pytest.mark.django_db
def test_activation_swap_keeps_one_active_and_the_previous_version(mini_feed):
    run(mini_feed(), "--activate")
    run(mini_feed("second.zip"))
    v1, v2 = FeedVersion.objects.order_by("version")
    assert selectors.active_feed() == v1
    services.activate_feed(v2)
    assert selectors.active_feed() == v2
    assert list(FeedVersion.objects.order_by("version").values_list("version", "is_active")) == [(1, False), (2, True)]
    assert StopTime.objects.filter(feed=v1).count() == 3  # the previous version is kept
    services.activate_feed(v1)
    assert FeedVersion.objects.filter(is_active=True).get() == v1
    assert FeedVersion.objects.get(pk=v1.pk).activated_at is not None


@pytest.mark.django_db
def test_database_refuses_two_active_versions_of_one_name(mini_feed):
    run(mini_feed(), "--activate")
    run(mini_feed("second.zip"))
    run(mini_feed("other.zip"), "--name", "other", "--activate")
    assert selectors.active_feed("other").version == 1  # versions are numbered per name
    with pytest.raises(IntegrityError), transaction.atomic():
        FeedVersion.objects.filter(name="hsl").update(is_active=True)
    assert FeedVersion.objects.filter(name="hsl", is_active=True).count() == 1


@pytest.mark.django_db
def test_delete_feed_version_removes_bulk_loaded_rows(mini_feed):
    run(mini_feed(), "--activate")
    run(mini_feed("second.zip"))
    v1, v2 = FeedVersion.objects.order_by("version")
    services.delete_feed_version(v1)
    assert StopTime.objects.filter(feed_id=v1.pk).count() == 0
    assert StopTime.objects.filter(feed=v2).count() == 3


@pytest.mark.django_db
def test_admin_action_activates_one_version(admin_client, mini_feed):
    run(mini_feed(), "--activate")
    run(mini_feed("second.zip"))
    v1, v2 = FeedVersion.objects.order_by("version")
    response = admin_client.post("/admin/planner/feedversion/", {"action": "activate", "_selected_action": [v2.pk]})
    assert response.status_code == 302
    assert selectors.active_feed() == v2
    network, meta = artifact_paths([v2])
    assert network.exists() and meta.exists()  # its routing network was built before the swap
    response = admin_client.post("/admin/planner/feedversion/",
                                 {"action": "activate", "_selected_action": [v1.pk, v2.pk]}, follow=True)
    assert "Select exactly one version" in response.content.decode()
    assert selectors.active_feed() == v2


@pytest.mark.django_db
def test_admin_action_deactivates_a_feed_and_the_others_stay(admin_client, mini_feed):
    run(mini_feed(), "--activate")
    run(mini_feed("other.zip"), "--name", "other", "--activate")
    hsl, other = FeedVersion.objects.order_by("name")
    response = admin_client.post("/admin/planner/feedversion/", {"action": "deactivate", "_selected_action": [hsl.pk]},
                                 follow=True)
    assert "Deactivated hsl v1." in response.content.decode()
    assert list(FeedVersion.objects.filter(is_active=True)) == [other]
    network, meta = artifact_paths([other])
    assert network.exists() and meta.exists()  # the remaining feed's network, built first
