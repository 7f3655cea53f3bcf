"""Celery tasks of real time: one poll of a feed's sources (scheduled per source by django-celery-beat)."""
from celery import shared_task


@shared_task(name="realtime.poll_feed", ignore_result=True)
def poll_feed(feed_name):
    from planner.realtime import services

    return services.poll_feed(feed_name)
