"""Settings of govreports: `settings.crawl` is Scrapy's settings module (scrapy.cfg points at it);
`settings.parse` and `settings.schedule` hold the parsing and scheduling defaults."""
