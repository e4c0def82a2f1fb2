"""Scrapy settings of the govreports crawl (scrapy.cfg: `default = settings.crawl`).

Politeness first (portals.md §10–§11): robots.txt obeyed, a few requests per host, AutoThrottle,
retries that back off on 403/429/503 long enough to outlast a one-minute rate-limit ban.
"""

from scrapy.settings import default_settings as _scrapy_defaults

from govreports.fetch import BROWSER_UA

BOT_NAME = "govreports"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# -- politeness --------------------------------------------------------------------------------
ROBOTSTXT_OBEY = True
CONCURRENT_REQUESTS = 64  # across portals; the per-domain limit is what each portal sees
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.25
AUTOTHROTTLE_MAX_DELAY = 30.0
# AutoThrottle spaces a portal's requests by latency / target. Aimed exactly at the per-domain cap,
# delay and cap bind together and every wobble in latency leaves the portal below its cap; aimed
# at twice the cap, the cap (CONCURRENT_REQUESTS_PER_DOMAIN in flight) is what binds on a fast
# portal, and a slowing one is still slowed by both: at most cap / latency requests a second,
# spaced by latency / target, and the delay never falls on error answers.
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0 * CONCURRENT_REQUESTS_PER_DOMAIN
DOWNLOAD_DELAY_JITTER = 0.5  # ±50 %

# -- retries: 2/6/18/54 s backoff (±20 %); four retries outlast a one-minute ban ---------------
RETRY_ENABLED = True
RETRY_TIMES = 4
RETRY_HTTP_CODES = [403, 408, 429, 500, 502, 503, 504, 522, 524]
RETRY_BACKOFF_BASE = 2.0
RETRY_BACKOFF_FACTOR = 3.0
RETRY_BACKOFF_MAX = 60.0

# -- limits --------------------------------------------------------------------------------------
# Real reports stay well under 30 MB (settings.parse), scans included; larger answers (and
# bombs) are refused and recorded.
DOWNLOAD_MAXSIZE = 25 * 1024 * 1024
DOWNLOAD_WARNSIZE = 10 * 1024 * 1024
DOWNLOAD_TIMEOUT = 60  # slow county servers answer in 5–30 s
REDIRECT_MAX_TIMES = 8
METAREFRESH_IGNORE_TAGS = ["noscript"]
DNS_TIMEOUT = 20

# -- identity ------------------------------------------------------------------------------------
# A browser UA (byte-identical on every request): many portals 403 anything else.
USER_AGENT = BROWSER_UA
DEFAULT_REQUEST_HEADERS = {
    "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
    "Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5",
}
COOKIES_ENABLED = True  # cookie-setting 302s pass when the cookie is replayed

# -- components ----------------------------------------------------------------------------------
DOWNLOADER_MIDDLEWARES = {
    # Per-portal host lists (Scrapy's OffsiteMiddleware knows one list per spider).
    "crawler.middlewares.PortalGuardMiddleware": 60,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.BackoffRetryMiddleware": 550,
    # After decompression (590), before meta-refresh (580) and retry (550).
    "crawler.middlewares.ResponseGuardMiddleware": 585,
}
SPIDER_MIDDLEWARES = {
    # Closest to the engine: a page's parsed tree is freed as soon as its callback is done.
    "crawler.middlewares.ReleaseTreeMiddleware": 5,
}
DUPEFILTER_CLASS = "crawler.jobstate.LedgerDupeFilter"
ITEM_PIPELINES = {
    "crawler.pipelines.ParsePipeline": 300,
    "crawler.pipelines.ArchivePipeline": 800,
}
EXTENSIONS = {
    "crawler.jobstate.JobDirGuard": 10,
    "crawler.extensions.CrawlSummary": 500,
}
# No consoles into a scheduled crawl: telnet, and Scrapy 2.19's HTTP remote control (a code
# console on a localhost port). They are left out of Scrapy's base list rather than set to None in
# EXTENSIONS: Scrapy imports every class named in EXTENSIONS to resolve its key, so the None
# entries still cost each crawl the aiohttp and twisted.conch imports (~0.5 s CPU, ~7 MB).
_consoles = ("scrapy.extensions.telnet.TelnetConsole", "scrapy.extensions.remote_control.RemoteControl")
EXTENSIONS_BASE = {k: v for k, v in _scrapy_defaults.EXTENSIONS_BASE.items() if k not in _consoles}
TELNETCONSOLE_ENABLED = False
REMOTE_CONTROL_ENABLED = False
STATS_CLASS = "crawler.stats.CrawlStats"
# JOBDIR: set per crawl (`govreports crawl` uses <data>/jobs/<portals>); `-s JOBDIR=…` by hand.
JOBDIR = None
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"
# One crawl covers many portals: hand the downloader the request of the portal with the fewest
# downloads under way. With the default (one priority queue for all), the 64 downloader places
# fill with whichever portal listed its reports first, and the other portals wait idle.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"
# A response yields at most one item (its report); Scrapy's default of 100 parallel item
# workers per response cost 100 asyncio tasks on every page.
CONCURRENT_ITEMS = 4

# Scrapy checks every callback call for a generator that also returns a value (a development
# warning): inspect.getsource + ast.parse each time, as its cache is keyed by the bound method,
# a new object per call (~6 % of the crawl's CPU). tests/crawler/test_spider_callbacks.py makes
# the same check once, on every callback of the spider.
WARN_ON_GENERATOR_RETURN_VALUE = False

# Parsing runs in worker threads (crawler.pipelines.ParsePipeline).
REACTOR_THREADPOOL_MAXSIZE = 8

# -- govreports ----------------------------------------------------------------------------------
GOVREPORTS_PARSE_FUNCTION = "parsers.parse.parse_bytes"
GOVREPORTS_ARCHIVE = "archive.api.Archive"
GOVREPORTS_DB = None  # None -> $GOVREPORTS_DB, else the data folder's SQLite file
GOVREPORTS_SUMMARY_FILE = None
GOVREPORTS_PORTALS_FILE = None

LOG_LEVEL = "INFO"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
