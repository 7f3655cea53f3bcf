"""Write-side operations on feed versions and OSM networks."""
from __future__ import annotations

from django.db import connection, transaction
from django.utils import timezone

from planner.gtfs import partitions
from planner.models import FeedVersion, OsmNetwork, Shape, StopTime


@transaction.atomic
def activate_feed(feed_version: FeedVersion) -> FeedVersion:
    """Make `feed_version` the only active version of its feed name, atomically.

    The previous active version is kept (inactive). Rows are locked so concurrent activations serialize.
    """
    list(FeedVersion.objects.select_for_update().filter(name=feed_version.name).values_list("pk", flat=True))
    FeedVersion.objects.filter(name=feed_version.name, is_active=True).exclude(pk=feed_version.pk).update(
        is_active=False)
    now = timezone.now()
    FeedVersion.objects.filter(pk=feed_version.pk).update(is_active=True, activated_at=now)
    feed_version.is_active, feed_version.activated_at = True, now
    return feed_version


@transaction.atomic
def deactivate_feed(feed_version: FeedVersion) -> FeedVersion:
    """Take `feed_version` out of service (its feed then has no active version); the other feeds stay as they are."""
    FeedVersion.objects.filter(pk=feed_version.pk).update(is_active=False)
    feed_version.is_active = False
    return feed_version


@transaction.atomic
def delete_feed_version(feed_version: FeedVersion) -> None:
    """Delete a version and all its rows (stop_times/shapes have no DB cascade: they are bulk-loaded)."""
    StopTime.objects.filter(feed=feed_version)._raw_delete(connection.alias)
    partitions.drop(feed_version.pk)
    Shape.objects.filter(feed=feed_version)._raw_delete(connection.alias)
    feed_version.trips.all()._raw_delete(connection.alias)
    feed_version.delete()


@transaction.atomic
def activate_osm_network(network: OsmNetwork) -> OsmNetwork:
    """Make `network` the only active OSM network of its name."""
    OsmNetwork.objects.filter(name=network.name, is_active=True).exclude(pk=network.pk).update(is_active=False)
    OsmNetwork.objects.filter(pk=network.pk).update(is_active=True)
    network.is_active = True
    return network
