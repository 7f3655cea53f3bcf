"""GDPR: export (Art. 15/20), erasure (Art. 17) and location-data retention, across apps.

Each app holds its own part in `<app>/privacy.py` (export_for / erase_for); this package puts them together.
"""
