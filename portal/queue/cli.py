"""``flask digest send`` and ``flask retention purge``: commands for cron or systemd timers."""

from __future__ import annotations

import click
from flask.cli import AppGroup

digest = AppGroup("digest", help="The daily digest e-mail to staff (counts only).")
retention = AppGroup("retention", help="Delete closed appeals and declined offers after their retention period.")
