"""gunicorn settings for the portal (``gunicorn -c gunicorn.conf.py wsgi:app``).

The access log format has no client address, user agent or referrer: the
anonymous appeal path must not be traceable through logs.
"""

import logging
import multiprocessing
import os
import re

import gunicorn.http.wsgi

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


def post_fork(server, worker):
    logging.getLogger("gunicorn.error").addFilter(_NoClientAddress())


def on_starting(server):
    logging.getLogger("gunicorn.error").addFilter(_NoClientAddress())


# Say "Server: portal" instead of the gunicorn version.
gunicorn.http.wsgi.SERVER = "portal"
