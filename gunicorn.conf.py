"""gunicorn settings for the portal (``gunicorn -c gunicorn.conf.py wsgi:app``).

The access log format has no client address, user agent or referrer, and the anonymous
appeal path (``/<lang>/appeal…``) is not in the access log at all: a line with the second of
each successful appeal or follow-up would let its time of day be recovered, which the
appeals themselves never store (they carry a date only). Error-log records that name an
appeal path keep the day and lose the time (``_AppealTimeToTheDay``).
"""

import logging
import multiprocessing
import os
import re
import time

import gunicorn.glogging
import gunicorn.http.wsgi

# The reporter's side of appeals (not /staff/appeals): never in the access log.
APPEAL_PATH = re.compile(r"^/(?:kk|ru|en)/appeal(?:/|$)")
APPEAL_MENTION = re.compile(r"/(?:kk|ru|en)/appeal\b")
# A sponsor's private page carries its key in the path (/<lang>/offer/<reference>/<token>): never logged either.
PRIVATE_OFFER_PATH = re.compile(r"^/(?:kk|ru|en)/offer/[^/]+/[^/]+")


class PortalLogger(gunicorn.glogging.Logger):
    """gunicorn's logger without access-log lines for the appeal path."""

    def access(self, resp, req, environ, request_time):
        path = environ.get("PATH_INFO") or ""
        if APPEAL_PATH.match(path) or PRIVATE_OFFER_PATH.match(path):
            return
        super().access(resp, req, environ, request_time)


logger_class = PortalLogger

bind = "%s:%s" % (os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "5000"))
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2)))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
# A worker is recycled after this many requests (a guard against slow leaks). Each recycle empties
# that worker's page cache and costs a start-up, so under a TV-appeal peak of thousands of requests
# a second a low figure would mean a cold worker every few seconds; memory is bounded by the cache's
# own limits (PAGE_CACHE_MAX_BYTES) instead.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 1_000_000))
max_requests_jitter = max_requests // 10
accesslog = "-"
errorlog = "-"
# No %(h)s (address), %(a)s (user agent) or %(f)s (referrer): see the deployment notes in README.md.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
limit_request_line = 8190

class _NoClientAddress(logging.Filter):
    """gunicorn's error log names the client on malformed requests ("Invalid request from ip=…"): drop it."""

    pattern = re.compile(
        r"ip=\S+"
        r"|\b\d{1,3}(?:\.\d{1,3}){3}\b"  # IPv4
        r"|\b[0-9a-f]{1,4}(?::[0-9a-f]{1,4}){7}\b|(?:[0-9a-f]{1,4}:)*[0-9a-f]{0,4}::[0-9a-f:]*",  # IPv6, full or compressed
        re.I,
    )

    def filter(self, record):
        record.msg = self.pattern.sub("[redacted]", record.getMessage())
        record.args = None
        return True


class _AppealTimeToTheDay(logging.Filter):
    """A record that names an appeal path ("Error handling request /kk/appeal") keeps its day, not its time."""

    def filter(self, record):
        if APPEAL_MENTION.search(record.getMessage()):
            day = time.localtime(record.created)
            record.created = time.mktime((day.tm_year, day.tm_mon, day.tm_mday, 0, 0, 0, 0, 0, -1))
            record.msecs = 0
        return True


def _install_filters():
    error_log = logging.getLogger("gunicorn.error")
    for log_filter in (_NoClientAddress(), _AppealTimeToTheDay()):
        error_log.addFilter(log_filter)


def post_fork(server, worker):
    _install_filters()


def on_starting(server):
    _install_filters()


# Say "Server: portal" instead of the gunicorn version.
gunicorn.http.wsgi.SERVER = "portal"
