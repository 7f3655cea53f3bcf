"""Kalasatama MaaS: project package and resident-facing core."""
from .celery import app as celery_app

__all__ = ("celery_app",)
