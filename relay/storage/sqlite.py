"""SQLite storage: WAL, ``secure_delete=ON``, ``synchronous=FULL``.

One connection per process behind a lock; separate worker processes on the
same file coordinate through leases and ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from relay.errors import ConfigError, UnavailableError
from relay.storage import Delivery, FeedItem, InboxItem, NewDelivery, QueueCount
from relay.storage.migrations import migrate_sqlite


class SQLiteStorage:
    """The embedded backend. Refuses to start when it cannot keep promise P2
    (secure deletion) or P6 (durable WAL commits)."""

    backend = "sqlite"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        if str(path) != ":memory:" and not self.path.exists():
            # Create the file 0600 ourselves: SQLite gives -wal and -shm the same mode.
            os.close(os.open(self.path, os.O_CREAT | os.O_WRONLY, 0o600))
        self._lock = threading.Lock()
        self.applied_migrations: list[int] = []
        self._conn = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, timeout=30.0
        )
        self._configure()
        self._migrate()

    def _configure(self) -> None:
        c = self._conn
        c.execute("PRAGMA busy_timeout = 30000")
        c.execute("PRAGMA secure_delete = ON")  # P2: deleted rows are zeroed, not left in free pages
        c.execute("PRAGMA synchronous = FULL")  # P6: a commit is on disk before we answer 202
        c.execute("PRAGMA temp_store = MEMORY")  # no temp files with row data
        mode = c.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if c.execute("PRAGMA secure_delete").fetchone()[0] != 1:
            raise ConfigError("SQLite cannot enable secure_delete; refusing to store reports")
        if str(self.path) != ":memory:" and mode.lower() != "wal":
            raise ConfigError("SQLite cannot enable WAL journaling; refusing to start")

    def _migrate(self) -> None:
        with self._lock:
            self._conn.execute("BEGIN IMMEDIATE")
            try:
                self.applied_migrations = migrate_sqlite(self._conn)
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                self._conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise UnavailableError("the database is busy; try again shortly") from exc
            try:
                yield self._conn
                self._conn.execute("COMMIT")
            except BaseException as exc:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    # A full disk or an I/O error: callers answer 503 ("nothing
                    # was stored, try again"), never a 500 (P7).
                    raise UnavailableError("the database cannot store this right now") from exc
                raise

    def add_reports(self, reports: Sequence[tuple[str, bytes]]) -> None:
        with self._tx() as c:
            c.executemany("INSERT INTO inbox (kid, sealed) VALUES (?, ?)", reports)

    def claim_reports(self, now: float, lease: float, limit: int) -> list[InboxItem]:
        with self._tx() as c:
            rows = c.execute(
                "UPDATE inbox SET claimed_until = ? WHERE id IN (SELECT id FROM inbox "
                "WHERE claimed_until <= ? ORDER BY id LIMIT ?) RETURNING id, kid, sealed",
                (now + lease, now, limit),
            ).fetchall()
        return [InboxItem(*row) for row in sorted(rows)]

    def fan_out(self, report_id: int, deliveries: Sequence[NewDelivery]) -> bool:
        with self._tx() as c:
            if c.execute("DELETE FROM inbox WHERE id = ?", (report_id,)).rowcount == 0:
                return False
            c.executemany(
                "INSERT INTO deliveries (id, destination, body, due) VALUES (?, ?, ?, ?)",
                [(d.id, d.destination, d.body, d.due) for d in deliveries],
            )
        return True

    def claim_deliveries(self, now: float, lease: float, limit: int) -> list[Delivery]:
        with self._tx() as c:
            rows = c.execute(
                "UPDATE deliveries SET claimed_until = ? WHERE id IN (SELECT id FROM deliveries "
                "WHERE state = 'pending' AND due <= ? AND claimed_until <= ? AND destination "
                "NOT IN (SELECT name FROM disabled_destinations) ORDER BY due LIMIT ?) "
                "RETURNING id, destination, body, attempts",
                (now + lease, now, now, limit),
            ).fetchall()
        return [Delivery(*row) for row in rows]

    def complete_delivery(self, delivery_id: str) -> None:
        with self._tx() as c:
            c.execute("DELETE FROM deliveries WHERE id = ?", (delivery_id,))

    def retry_delivery(self, delivery_id: str, due: float, error: str) -> None:
        with self._tx() as c:
            c.execute(
                "UPDATE deliveries SET due = ?, attempts = attempts + 1, last_error = ?, "
                "claimed_until = 0 WHERE id = ?",
                (due, error, delivery_id),
            )

    def kill_delivery(self, delivery_id: str, error: str) -> None:
        with self._tx() as c:
            c.execute(
                "UPDATE deliveries SET state = 'dead', attempts = attempts + 1, last_error = ?, "
                "claimed_until = 0 WHERE id = ?",
                (error, delivery_id),
            )

    def disable_destination(self, name: str, reason: str) -> None:
        with self._tx() as c:
            c.execute(
                "INSERT INTO disabled_destinations (name, reason) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET reason = excluded.reason",
                (name, reason),
            )

    def disabled_destinations(self) -> dict[str, str]:
        with self._lock:
            rows = self._conn.execute("SELECT name, reason FROM disabled_destinations").fetchall()
        return dict(rows)

    def add_feed_item(self, destination: str, delivery_id: str, body: bytes) -> None:
        with self._tx() as c:
            c.execute(
                "INSERT OR IGNORE INTO feed_items (destination, seq, delivery_id, body) "
                "SELECT ?, coalesce(max(seq), 0) + 1, ?, ? FROM feed_items WHERE destination = ?",
                (destination, delivery_id, body, destination),
            )

    def feed_items(self, destination: str, after: int, limit: int) -> list[FeedItem]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT seq, delivery_id, body FROM feed_items WHERE destination = ? AND seq > ? "
                "ORDER BY seq LIMIT ?",
                (destination, after, limit),
            ).fetchall()
        return [FeedItem(*row) for row in rows]

    def queue_counts(self) -> list[QueueCount]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT destination, state, count(*) FROM deliveries GROUP BY destination, state "
                "UNION ALL SELECT '', 'inbox', count(*) FROM inbox ORDER BY 1, 2"
            ).fetchall()
        return [QueueCount(*row) for row in rows]

    def check(self) -> None:
        try:
            with self._lock:
                self._conn.execute("SELECT 1 FROM inbox LIMIT 1").fetchall()
        except sqlite3.Error as exc:
            raise UnavailableError("the database is not usable") from exc

    def schema_version(self) -> int:
        with self._lock:
            version: int = self._conn.execute("PRAGMA user_version").fetchone()[0]
        return version

    def close(self) -> None:
        with self._lock:
            self._conn.close()
