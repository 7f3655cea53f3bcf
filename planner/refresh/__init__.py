"""Scheduled feed refresh: conditional download, import, validate, build, then activate (hot swap)."""
