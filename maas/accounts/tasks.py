"""Celery tasks of accounts: the daily location-data retention purge."""
from celery import shared_task

from maas.accounts.privacy import retention


@shared_task(name="accounts.purge_location_data")
def purge_location_data_task():
    """Beat, daily: scrub location data past the retention or kept without consent."""
    return retention.purge_location_data()
