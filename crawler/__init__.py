"""Discovery: one generic Scrapy spider that finds every annual report on a portal.

    spiders/annual_reports.py  home → 信息公开 tree → report column(s) → list → detail → attachments
    spiders/base.py            portals-file configuration, per-portal state, failure handling
    styles/                    per-CMS listing knowledge (trs, hanweb, jpaas, gkmlpt, generic),
                               one module each with detect(response) and listing(response)
    classify.py                titles, decoys, columns, soft pages (word lists in labels.yaml)
    pages.py                   list entries, attachments, page metadata, visible text
    middlewares.py             portal hosts only, JS challenges → blocked, encodings, backoff
    pipelines.py               parse every capture, choose the record's source, file it
    jobstate.py                resumable jobs (ledger of finished reports, kill-safe JOBDIR)
    extensions.py              the per-portal crawl summary

Run with `govreports crawl --portals FILE` or `scrapy crawl annual_reports -a portals=FILE`.
"""
