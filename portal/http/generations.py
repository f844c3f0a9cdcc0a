"""Generations of the data areas: a number per area, bumped by every commit that changes it, seen by every worker.

Where they live: in memory (one process: tests), in a small JSON file beside the SQLite database
(or in ``instance/`` for PostgreSQL on one machine), or in a Redis hash when ``PAGE_CACHE_STORAGE_URI``
is ``redis://…`` (several machines). A cached page or a kept form is served only while the
generations it was rendered under are current.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
import time
from pathlib import Path

import sqlalchemy as sa


class MemoryGenerations:
    """One process only (tests, single worker)."""

    def __init__(self):
        self.values: dict[str, int] = {}
        self.lock = threading.Lock()

    def current(self) -> dict[str, int]:
        return self.values

    def bump(self, areas) -> None:
        with self.lock:
            values = dict(self.values)
            for area in areas:
                values[area] = values.get(area, 0) + 1
            self.values = values


class FileGenerations:
    """A JSON file, replaced atomically on each bump; readers re-read it only when its inode or mtime changed."""

    def __init__(self, path: Path):
        self.path = path
        self.lock_path = path.with_name(path.name + ".lock")
        self.signature = None
        self.values: dict[str, int] = {}
        self.lock = threading.Lock()

    def _signature(self):
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _read(self) -> dict[str, int]:
        try:
            return json.loads(self.path.read_text())
        except (FileNotFoundError, ValueError):
            return {}

    def current(self) -> dict[str, int]:
        signature = self._signature()
        if signature != self.signature:
            values = self._read()
            self.values, self.signature = values, signature
        return self.values

    def bump(self, areas) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.lock, open(self.lock_path, "a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            values = self._read()
            # Unique per bump across processes and restarts, so a stale copy never matches again.
            stamp = time.time_ns()
            for area in areas:
                values[area] = max(values.get(area, 0) + 1, stamp)
            tmp = self.path.with_name("%s.%d.tmp" % (self.path.name, os.getpid()))
            tmp.write_text(json.dumps(values))
            os.replace(tmp, self.path)
        self.signature = None


class RedisGenerations:
    """A Redis hash shared by every worker of every machine."""

    def __init__(self, url: str, key: str):
        import redis

        self.client = redis.Redis.from_url(url, socket_timeout=1)
        self.key = key

    def current(self) -> dict[str, int]:
        return {k.decode(): int(v) for k, v in self.client.hgetall(self.key).items()}

    def bump(self, areas) -> None:
        pipe = self.client.pipeline()
        for area in areas:
            pipe.hincrby(self.key, area, 1)
        pipe.execute()


def generation_store(app):
    """The store ``PAGE_CACHE_STORAGE_URI`` names, else one beside the database."""
    uri = app.config.get("PAGE_CACHE_STORAGE_URI")
    if uri == "memory://":
        return MemoryGenerations()
    if uri and uri.startswith(("redis://", "rediss://", "unix://")):
        return RedisGenerations(uri, app.config["PAGE_CACHE_KEY"])
    if uri:
        return FileGenerations(Path(uri))
    url = sa.make_url(app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return FileGenerations(Path(url.database + ".page-cache"))
    if url.get_backend_name() == "sqlite":
        return MemoryGenerations()
    # One file per machine: databases sharing it only cost each other extra invalidations, never stale pages.
    return FileGenerations(Path(app.instance_path) / "page-cache-generations.json")
