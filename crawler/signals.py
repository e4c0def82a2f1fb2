"""Signals the spider sends so that pipelines and extensions record what happened.

- crawl_error(portal, url, kind, message): a page or document could not be had (archive.record_error).
- portal_blocked(portal, reason): a JS challenge, a persisting 403, robots.txt `Disallow: /`.
- decoy_skipped(portal, url, title, reason): a list item rejected (logged with its reason).
"""

crawl_error = object()
portal_blocked = object()
decoy_skipped = object()
