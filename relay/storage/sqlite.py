"""SQLite storage: WAL, ``secure_delete=ON``, ``synchronous=FULL``.

One connection per process behind a lock; separate worker processes on the
same file coordinate through leases and ``BEGIN IMMEDIATE``.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from relay.errors import ConfigError, UnavailableError
from relay.storage import DeadLetter, Delivery, FeedItem, InboxItem, NewDelivery, QueueCount
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
        return self.fan_out_many([(report_id, deliveries)]) == 1

    def fan_out_many(self, reports: Sequence[tuple[int, Sequence[NewDelivery]]]) -> int:
        done = 0
        with self._tx() as c:
            for report_id, deliveries in reports:
                if c.execute("DELETE FROM inbox WHERE id = ?", (report_id,)).rowcount == 0:
                    continue
                c.executemany(
                    "INSERT INTO deliveries (id, destination, body, due) VALUES (?, ?, ?, ?)",
                    [(d.id, d.destination, d.body, d.due) for d in deliveries],
                )
                done += 1
        return done

    def claim_deliveries(
        self, now: float, lease: float, limit: int, *, per_destination: int | None = None,
        only: Sequence[str] | None = None,
    ) -> list[Delivery]:
        with self._tx() as c:
            rows = c.execute(
                "WITH candidates AS (SELECT d.id, d.destination, d.due FROM deliveries d "
                "WHERE d.state = 'pending' AND d.due <= :now AND d.claimed_until <= :now "
                "AND (:only IS NULL OR d.destination IN (SELECT value FROM json_each(:only))) "
                "AND NOT EXISTS (SELECT 1 FROM destinations s WHERE s.name = d.destination "
                "AND (s.disabled_reason IS NOT NULL OR s.paused_until > :now)) "
                "ORDER BY d.due LIMIT :scan), "
                "ranked AS (SELECT id, due, row_number() OVER (PARTITION BY destination ORDER BY due) AS n "
                "FROM candidates) "
                "UPDATE deliveries SET claimed_until = :until WHERE id IN "
                "(SELECT id FROM ranked WHERE n <= :per ORDER BY due LIMIT :limit) "
                "RETURNING id, destination, body, attempts",
                {"now": now, "until": now + lease, "only": None if only is None else json.dumps(list(only)), "scan": limit * 4,
                 "per": per_destination or limit, "limit": limit},
            ).fetchall()
        return [Delivery(*row) for row in rows]

    def release_batch(
        self, destination: str, now: float, lease: float, min_size: int, tick: int | None, limit: int
    ) -> list[Delivery]:
        with self._tx() as c:
            c.execute("INSERT OR IGNORE INTO destinations (name) VALUES (?)", (destination,))
            state = c.execute(
                "SELECT disabled_reason IS NULL AND paused_until <= ?, batch_tick FROM destinations "
                "WHERE name = ?", (now, destination)).fetchone()
            if not state[0] or (tick is not None and state[1] >= tick):
                return []
            if tick is not None:
                c.execute("UPDATE destinations SET batch_tick = ? WHERE name = ?", (tick, destination))
            waiting = c.execute(
                "SELECT count(*) FROM deliveries WHERE destination = ? AND state = 'pending' "
                "AND due <= ? AND claimed_until <= ?", (destination, now, now)).fetchone()[0]
            if waiting < min_size:
                return []
            rows = c.execute(
                "UPDATE deliveries SET claimed_until = ? WHERE id IN (SELECT id FROM deliveries "
                "WHERE destination = ? AND state = 'pending' AND due <= ? AND claimed_until <= ? "
                "ORDER BY due LIMIT ?) RETURNING id, destination, body, attempts",
                (now + lease, destination, now, now, limit),
            ).fetchall()
        return [Delivery(*row) for row in rows]

    def complete_delivery(self, delivery_id: str) -> None:
        self.complete_deliveries([delivery_id])

    def complete_deliveries(self, delivery_ids: Sequence[str]) -> None:
        with self._tx() as c:
            c.executemany("DELETE FROM deliveries WHERE id = ?", [(i,) for i in delivery_ids])

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

    def dead_letters(self, destination: str | None = None) -> list[DeadLetter]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT id, destination, attempts, last_error FROM deliveries WHERE state = 'dead' "
                "AND (? IS NULL OR destination = ?) ORDER BY destination, id",
                (destination, destination),
            ).fetchall()
        return [DeadLetter(*row) for row in rows]

    def _dead_selection(self, ids: Sequence[str], destination: str | None) -> tuple[str, list[Any]]:
        where = "state = 'dead' AND (? IS NULL OR destination = ?)"
        params: list[Any] = [destination, destination]
        if ids:
            where += " AND id IN (SELECT value FROM json_each(?))"
            params.append(json.dumps(list(ids)))
        return where, params

    def revive_dead(self, ids: Sequence[str] = (), destination: str | None = None) -> int:
        where, params = self._dead_selection(ids, destination)
        with self._tx() as c:
            count: int = c.execute(
                f"UPDATE deliveries SET state = 'pending', due = 0, attempts = 0, claimed_until = 0 "
                f"WHERE {where}", params).rowcount
        return count

    def drop_dead(self, ids: Sequence[str] = (), destination: str | None = None) -> int:
        where, params = self._dead_selection(ids, destination)
        with self._tx() as c:
            count: int = c.execute(f"DELETE FROM deliveries WHERE {where}", params).rowcount
        return count

    def disable_destination(self, name: str, reason: str) -> None:
        with self._tx() as c:
            c.execute(
                "INSERT INTO destinations (name, disabled_reason) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET disabled_reason = excluded.disabled_reason",
                (name, reason),
            )

    def enable_destination(self, name: str) -> bool:
        with self._tx() as c:
            changed: int = c.execute(
                "UPDATE destinations SET disabled_reason = NULL, paused_until = 0 "
                "WHERE name = ? AND disabled_reason IS NOT NULL", (name,)).rowcount
        return changed > 0

    def disabled_destinations(self) -> dict[str, str]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT name, disabled_reason FROM destinations WHERE disabled_reason IS NOT NULL"
            ).fetchall()
        return dict(rows)

    def pause_destination(self, name: str, until: float) -> None:
        with self._tx() as c:
            c.execute(
                "INSERT INTO destinations (name, paused_until) VALUES (?, ?) ON CONFLICT(name) "
                "DO UPDATE SET paused_until = max(paused_until, excluded.paused_until)",
                (name, until),
            )

    def paused_destinations(self, now: float) -> dict[str, float]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT name, paused_until FROM destinations WHERE paused_until > ?", (now,)).fetchall()
        return dict(rows)

    def add_feed_item(self, destination: str, delivery_id: str, body: bytes, published: float) -> None:
        with self._tx() as c:
            if c.execute("SELECT 1 FROM feed_items WHERE delivery_id = ?", (delivery_id,)).fetchone():
                return
            # A counter, not max(seq) + 1: after retention deletes every item a
            # new one must not reuse a number a reader's cursor has passed.
            seq = c.execute(
                "INSERT INTO feed_counters (destination, seq) VALUES (?, 1) ON CONFLICT(destination) "
                "DO UPDATE SET seq = seq + 1 RETURNING seq", (destination,)).fetchone()[0]
            c.execute(
                "INSERT INTO feed_items (destination, seq, delivery_id, body, published) VALUES (?, ?, ?, ?, ?)",
                (destination, seq, delivery_id, body, published),
            )

    def feed_items(self, destination: str, after: int, limit: int) -> list[FeedItem]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT seq, delivery_id, body, published FROM feed_items WHERE destination = ? "
                "AND seq > ? ORDER BY seq LIMIT ?",
                (destination, after, limit),
            ).fetchall()
        return [FeedItem(*row) for row in rows]

    def feed_head(self, destination: str) -> tuple[int, int]:
        with self._lock:
            count, top = self._conn.execute(
                "SELECT count(*), coalesce(max(seq), 0) FROM feed_items WHERE destination = ?",
                (destination,)).fetchone()
        return int(count), int(top)

    def purge_feed(self, destination: str, published_before: float) -> int:
        with self._tx() as c:
            count: int = c.execute(
                "DELETE FROM feed_items WHERE destination = ? AND published < ?",
                (destination, published_before)).rowcount
        return count

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
