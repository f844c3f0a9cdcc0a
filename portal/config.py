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

    # The database: DATABASE_URL, else sqlite:///<instance>/portal.sqlite3 (set in create_app). A dropped
    # PostgreSQL connection is noticed before use; queries are not recorded (tests count them with an event).
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SQLALCHEMY_RECORD_QUERIES = False

    # The site's languages, Kazakh first (the default); dates shown on Astana's and Almaty's clock.
    LANGUAGES = ("kk", "ru", "en")
    BABEL_DEFAULT_LOCALE = "kk"
    BABEL_DEFAULT_TIMEZONE = "Asia/Almaty"
    # Absolute: Flask-Babel joins a relative path to portal/, and the site silently stays English.
    BABEL_TRANSLATION_DIRECTORIES = str(PROJECT_ROOT / "translations")

    # Session cookie: no script access, not sent on cross-site POSTs; Secure and __Host- behind TLS.
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # turned on by PREFER_HTTPS
    PREFER_HTTPS = False  # on behind TLS: Secure cookies, HSTS, https links
    PERMANENT_SESSION_LIFETIME = 60 * 60 * 8  # a staff working day at most (the idle timeout is shorter)
    REMEMBER_COOKIE_NAME = "remember_token"  # Flask-Login's; the page cache never serves a visitor who has it

    WTF_CSRF_TIME_LIMIT = None  # token lives as long as the session
    MAX_CONTENT_LENGTH = 2 * 1024 * 1024  # public forms; staff uploads raise it per request (REPORT_UPLOAD_MAX_BYTES)

    # Where the limiter counts (portal/ratelimit.py). None: sqlite:///<instance>/ratelimit.sqlite3, one file
    # shared by every gunicorn worker of the machine (memory:// would multiply each limit by the workers);
    # redis://… when several machines serve. Keys are per form and under a random hourly secret, forgotten after.
    RATELIMIT_STORAGE_URI = None
    # Reverse proxies in front of gunicorn whose X-Forwarded-For the rate limiter trusts (portal/ratelimit.py).
    PROXY_HOPS = 0
    RATELIMIT_HEADERS_ENABLED = False  # no X-RateLimit-* headers: they would tell a scraper exactly how to pace itself

    # Pretend "now" is this ISO timestamp (tests and demos of other campaign states).
    FROZEN_NOW = None

    # Gzip/brotli for text responses bigger than this many bytes.
    COMPRESS_MIN_SIZE = 500

    # Page cache (portal/http/pagecache.py).
    PAGE_CACHE_ENABLED = True  # cached pages and kept form pages; the unit tests turn it off (tests/conftest.py)
    PAGE_CACHE_TTL = 60  # seconds an entry is served at most (views may say longer: @cacheable(ttl=))
    PAGE_CACHE_MAX_ENTRIES = 2000  # per worker
    PAGE_CACHE_MAX_BYTES = 64 * 1024 * 1024  # bodies per worker
    PAGE_CACHE_MAX_BODY = 1024 * 1024  # a bigger response is never kept
    PAGE_CACHE_STORAGE_URI = None  # generations: a file beside the database; redis://… for several machines
    # Page views the app renders (not those served from the page cache) per client address; "" turns it off.
    PAGE_VIEW_RATE_LIMIT = "600 per minute"

    # Public site origin used in feeds, sitemaps and calendar files when there is no request.
    SERVER_NAME = None

    # Working days (portal/workdays.py) come from the pinned `holidays` package; a decree published after
    # its release is entered here until the pin is raised (ISO dates, comma-separated).
    WORKDAYS_EXTRA_DAYS_OFF = ""
    WORKDAYS_EXTRA_WORKING_DAYS = ""

    # Retention (flask retention purge; the privacy page states both): a closed appeal is deleted this many
    # days after its last activity, a declined offer this many days after it was declined.
    RETENTION_CLOSED_APPEAL_DAYS = 365
    RETENTION_DECLINED_OFFER_DAYS = 180

    # Host names a request may carry (FLASK_TRUSTED_HOSTS='["mektepke-zhol.kz", "www.mektepke-zhol.kz"]'):
    # any other Host header is refused with 400, so none is reflected in a link or redirect. Unset: the
    # host of PUBLIC_URL or SERVER_NAME; with neither, no check (development, tests). Loopback names are
    # always accepted (portal/security.py).
    TRUSTED_HOSTS = None

    # The site's public origin for open data (FLASK_PUBLIC_URL=https://mektepke-zhol.kz): absolute ids and
    # download URLs in data packages and the DCAT catalogue (portal/opendata). Unset: the request's host
    # (behind a proxy, with PROXY_HOPS set, its X-Forwarded-Proto/Host); outside a request, paths.
    PUBLIC_URL = None

    # --- e-mail (portal/mail.py): sponsors' confirmations, the staff digest. No server: nothing is sent, nothing fails.
    MAIL_SERVER = None
    MAIL_PORT = 25  # the server's port
    MAIL_USE_TLS = False  # STARTTLS on MAIL_PORT
    MAIL_USE_SSL = False  # SMTP over TLS (port 465)
    MAIL_USERNAME = None  # sign in to the server when set
    MAIL_PASSWORD = None  # with MAIL_USERNAME
    MAIL_DEFAULT_SENDER = "no-reply@localhost"  # the From: of every mail
    MAIL_TIMEOUT = 5  # seconds; a slow mail server must not hold a worker

    # --- anonymous appeals (portal/appeals/)
    APPEAL_PEPPER = None  # None: instance/appeal_pepper, written once; the key of receipt hashes, never in the database
    APPEAL_HASH_TIME_COST = 3  # Argon2id passes for a receipt hash
    APPEAL_HASH_MEMORY_KIB = 64 * 1024  # Argon2id memory for a receipt hash
    # Generous per address: many phones share one address behind a mobile operator's NAT.
    APPEAL_RATE_LIMIT = "5 per minute;30 per hour"
    APPEAL_CHECK_RATE_LIMIT = "10 per minute;60 per hour"  # checking a receipt, confirming, adding information
    APPEAL_FORM_MAX_AGE = 24 * 3600  # seconds a blank appeal form stays valid
    APPEAL_RECEIPT_REDISPLAY_SECONDS = 3600  # a receipt may be shown again until confirmed, within this time
    # Where "Leave this page quickly" goes: an ordinary page that says nothing about the visitor.
    APPEAL_EXIT_URL = "https://www.google.kz/"

    # --- offers (portal/offers/routes.py): per client; raise it for a whole office behind one address.
    OFFER_RATE_LIMIT = "10 per minute;40 per hour"
    OFFER_VALIDATE_RATE_LIMIT = "300 per hour"  # inline validation while a sponsor types

    # --- staff (portal/staff/)
    STAFF_SIGN_IN_RATE_LIMIT = "10 per minute;50 per hour"  # per client, password and code steps
    STAFF_ACCOUNT_RATE_LIMIT = "10 per 15 minutes;30 per hour"  # per account, from any number of addresses
    STAFF_IDLE_TIMEOUT = 30 * 60  # seconds of inactivity before a staff session ends
    # Argon2id for staff passwords (portal/staff/passwords.py): argon2-cffi's defaults, RFC 9106's "low memory"
    # profile. Tests set cheap ones; a stored hash keeps its own parameters, so changing these never locks anyone out.
    PASSWORD_HASH_TIME_COST = 3  # passes
    PASSWORD_HASH_MEMORY_KIB = 64 * 1024  # memory per hash
    PASSWORD_HASH_PARALLELISM = 4  # lanes
    ALLOW_DEMO_LOGIN = False  # demo accounts sign in only where this is set (`make run`); never in production

    # --- reports and published figures
    REPORT_SUPPRESSION_THRESHOLD = 10  # cells with fewer children are hidden below national level (all figures)
    REPORT_UPLOAD_MAX_ROWS = 200_000  # rows in one staff upload
    REPORT_UPLOAD_MAX_BYTES = 20 * 1024 * 1024  # bytes of one staff upload (the proxy's client_max_body_size: 21m)

    # --- limiter and page cache internals
    RATELIMIT_KEY_PREFIX = ""  # separates several portals (or test runs) sharing one Redis
    PAGE_CACHE_KEY = "portal:page-cache:generations"  # the Redis key of the areas' generations
