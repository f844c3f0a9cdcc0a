"""Configuration defaults.

Layers, later wins: these defaults → ``instance/config.py`` (optional) →
``FLASK_*`` environment variables and ``DATABASE_URL`` → the test mapping
given to ``create_app``.
"""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Defaults:
    # Filled from instance/secret_key by load_secret_key(); production refuses to start without one.
    SECRET_KEY = None

    SQLALCHEMY_DATABASE_URI = None  # set in create_app: sqlite:///<instance>/portal.sqlite3
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    LANGUAGES = ("kk", "ru", "en")
    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"
    # Absolute: Flask-Babel joins a relative path to portal/, and the site silently stays English.
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # turned on by PREFER_HTTPS
    PREFER_HTTPS = False
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 8

    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024

    # Where the limiter counts (portal/ratelimit.py). None: sqlite:///<instance>/ratelimit.sqlite3, one file
    # shared by every gunicorn worker of the machine (memory:// would multiply each limit by the workers);
    # redis://… when several machines serve. Keys are per form and under a random hourly secret, forgotten after.
    RATELIMIT_STORAGE_URI = None
    # Reverse proxies in front of gunicorn whose X-Forwarded-For the rate limiter trusts (portal/ratelimit.py).
    PROXY_HOPS = 0
    RATELIMIT_HEADERS_ENABLED = False

    # Pretend "now" is this ISO timestamp (tests and demos of other campaign states).
    FROZEN_NOW = None

    # Gzip/brotli for text responses bigger than this many bytes.
    COMPRESS_MIN_SIZE = 500

    # Page cache (portal/http/pagecache.py). Enabled unless TESTING; PAGE_CACHE_ENABLED overrides.
    PAGE_CACHE_TTL = 60  # seconds an entry is served at most (views may say longer: @cacheable(ttl=))
    PAGE_CACHE_MAX_ENTRIES = 2000  # per worker
    PAGE_CACHE_MAX_BYTES = 64 * 1024 * 1024  # bodies per worker
    PAGE_CACHE_MAX_BODY = 1024 * 1024  # a bigger response is never kept
    PAGE_CACHE_STORAGE_URI = None  # generations: a file beside the database; redis://… for several machines
    # Page views the app renders (not those served from the page cache) per client address; "" turns it off.
    PAGE_VIEW_RATE_LIMIT = "600 per minute"

    # Public site origin used in feeds, sitemaps and calendar files when there is no request.
    SERVER_NAME = None

    # Host names a request may carry (FLASK_TRUSTED_HOSTS='["mektepke-zhol.kz", "www.mektepke-zhol.kz"]'):
    # any other Host header is refused with 400, so none is reflected in a link or redirect. Unset: the
    # host of PUBLIC_URL or SERVER_NAME; with neither, no check (development, tests). Loopback names are
    # always accepted (portal/security.py).
    TRUSTED_HOSTS = None

    # Working days (portal/workdays.py) come from the pinned `holidays` package; a decree published after
    # its release is entered here until the pin is raised (ISO dates, comma-separated).
    WORKDAYS_EXTRA_DAYS_OFF = ""
    WORKDAYS_EXTRA_WORKING_DAYS = ""

    # Retention (flask retention purge; the privacy page states both): a closed appeal is deleted this many
    # days after its last activity, a declined offer this many days after it was declined.
    RETENTION_CLOSED_APPEAL_DAYS = 365
    RETENTION_DECLINED_OFFER_DAYS = 180

    # The site's public origin for open data (FLASK_PUBLIC_URL=https://mektepke-zhol.kz): absolute ids and
    # download URLs in data packages and the DCAT catalogue (portal/opendata). Unset: the request's host
    # (behind a proxy, with PROXY_HOPS set, its X-Forwarded-Proto/Host); outside a request, paths.
    PUBLIC_URL = None
