"""Celery tasks of the planner: (re)build the routing network of a feed version."""
from celery import shared_task


@shared_task(name="planner.build_network")
def build_network(feed_version_id=None, force=False, use_osm=True):
    """Build the embedded engine's network over the active feeds (with a feed version in place of its feed's
    active one when given); returns stats."""
    from planner.engines.embedded.build import build_for_feeds, build_with
    from planner.models import FeedVersion

    if feed_version_id:
        return build_with(FeedVersion.objects.get(pk=feed_version_id), force=force, use_osm=use_osm)
    return build_for_feeds(force=force, use_osm=use_osm)


@shared_task(name="planner.refresh_feeds")
def refresh_feeds(name=None):
    """Beat task: refresh the feed sources that are due; returns their outcomes as text."""
    from planner.refresh.service import refresh_feeds as refresh

    return [str(outcome) for outcome in refresh(name, only_due=True)]
