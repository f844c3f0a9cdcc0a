"""gunicorn settings for the portal (``gunicorn -c gunicorn.conf.py wsgi:app``).

The access log format has no client address, user agent or referrer: the
anonymous appeal path must not be traceable through logs.
"""

import multiprocessing
import os

import gunicorn.http.wsgi

bind = "%s:%s" % (os.environ.get("HOST", "127.0.0.1"), os.environ.get("PORT", "5000"))
workers = int(os.environ.get("WEB_CONCURRENCY", min(4, multiprocessing.cpu_count() * 2)))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 10000
max_requests_jitter = 1000
accesslog = "-"
errorlog = "-"
# No %(h)s (address), %(a)s (user agent) or %(f)s (referrer): see the deployment notes in README.md.
access_log_format = '%(t)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proxy_allow_ips = forwarded_allow_ips
limit_request_line = 8190

# Say "Server: portal" instead of the gunicorn version.
gunicorn.http.wsgi.SERVER = "portal"
