"""Celery tasks of billing."""
from celery import shared_task

from billing import repricing


@shared_task(name="billing.reprice_subscriptions")
def reprice_subscriptions_task():
    """Beat, daily: subscriptions follow their residents' discount grants."""
    return repricing.reprice_subscriptions()
