"""PostgreSQL storage: the scale-out backend (psycopg 3 with a connection pool).

Any number of API nodes and ``relay worker`` processes on any number of
machines share one database. Work is claimed with ``FOR UPDATE SKIP LOCKED``
inside an UPDATE that sets a lease, so two workers never hold the same report
or delivery at the same time, and a crashed worker's claims come back when
its lease expires. Refuses to start where a commit would not be durable (P6).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from relay.errors import ConfigError, UnavailableError
from relay.storage import Delivery, FeedItem, InboxItem, NewDelivery, QueueCount
from relay.storage.migrations import migrate_postgres


class PostgresStorage:
    backend = "postgresql"

    def __init__(self, url: str, *, max_connections: int = 10, migrate: bool = True) -> None:
        try:
            self._pool = ConnectionPool(
                url, min_size=1, max_size=max_connections, open=True, timeout=30.0,
                kwargs={"application_name": "relay"},
            )
            self._pool.wait(timeout=30.0)
        except (psycopg.Error, PoolTimeout) as exc:
            raise ConfigError("cannot connect to the PostgreSQL database in database_url") from exc
        try:
            self._refuse_unsafe_settings()
            self.applied_migrations: list[int] = []
            if migrate:
                with self._tx() as c:
                    self.applied_migrations = migrate_postgres(c)
        except BaseException:
            self._pool.close()
            raise

    def _refuse_unsafe_settings(self) -> None:
        with self._tx() as c:
            settings = dict(c.execute(
                "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit')"
            ).fetchall())
        # P6: a 202 means the report survives a crash; with either off it may not.
        if settings.get("fsync") != "on" or settings.get("synchronous_commit") == "off":
            raise ConfigError("PostgreSQL has fsync or synchronous_commit off; refusing to store reports")

    @contextmanager
    def _tx(self) -> Iterator[psycopg.Connection]:
        try:
            with self._pool.connection() as conn, conn.transaction():
                yield conn
        except (psycopg.Error, PoolTimeout) as exc:
            # The server is gone, overloaded, full or read-only: callers answer
            # 503 ("nothing was stored, try again"), never 500 (P7), as on SQLite.
            raise UnavailableError("the database cannot store this right now") from exc

    def add_reports(self, reports: Sequence[tuple[str, bytes]]) -> None:
        with self._tx() as c, c.cursor() as cur:
            cur.executemany("INSERT INTO inbox (kid, sealed) VALUES (%s, %s)", reports)

    def claim_reports(self, now: float, lease: float, limit: int) -> list[InboxItem]:
        with self._tx() as c:
            rows = c.execute(
                "UPDATE inbox SET claimed_until = %s WHERE id IN (SELECT id FROM inbox "
                "WHERE claimed_until <= %s ORDER BY id LIMIT %s FOR UPDATE SKIP LOCKED) "
                "RETURNING id, kid, sealed",
                (now + lease, now, limit),
            ).fetchall()
        return [InboxItem(row[0], row[1], bytes(row[2])) for row in sorted(rows)]

    def fan_out(self, report_id: int, deliveries: Sequence[NewDelivery]) -> bool:
        with self._tx() as c:
            if c.execute("DELETE FROM inbox WHERE id = %s", (report_id,)).rowcount == 0:
                return False
            with c.cursor() as cur:
                cur.executemany(
                    "INSERT INTO deliveries (id, destination, body, due) VALUES (%s, %s, %s, %s)",
                    [(d.id, d.destination, d.body, d.due) for d in deliveries],
                )
        return True

    def claim_deliveries(self, now: float, lease: float, limit: int) -> list[Delivery]:
        with self._tx() as c:
            rows = c.execute(
                "UPDATE deliveries SET claimed_until = %s WHERE id IN (SELECT id FROM deliveries "
                "WHERE state = 'pending' AND due <= %s AND claimed_until <= %s AND destination "
                "NOT IN (SELECT name FROM disabled_destinations) ORDER BY due LIMIT %s "
                "FOR UPDATE SKIP LOCKED) RETURNING id, destination, body, attempts",
                (now + lease, now, now, limit),
            ).fetchall()
        return [Delivery(row[0], row[1], bytes(row[2]), row[3]) for row in rows]

    def complete_delivery(self, delivery_id: str) -> None:
        with self._tx() as c:
            c.execute("DELETE FROM deliveries WHERE id = %s", (delivery_id,))

    def retry_delivery(self, delivery_id: str, due: float, error: str) -> None:
        with self._tx() as c:
            c.execute(
                "UPDATE deliveries SET due = %s, attempts = attempts + 1, last_error = %s, "
                "claimed_until = 0 WHERE id = %s",
                (due, error, delivery_id),
            )

    def kill_delivery(self, delivery_id: str, error: str) -> None:
        with self._tx() as c:
            c.execute(
                "UPDATE deliveries SET state = 'dead', attempts = attempts + 1, last_error = %s, "
                "claimed_until = 0 WHERE id = %s",
                (error, delivery_id),
            )

    def disable_destination(self, name: str, reason: str) -> None:
        with self._tx() as c:
            c.execute(
                "INSERT INTO disabled_destinations (name, reason) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET reason = excluded.reason",
                (name, reason),
            )

    def disabled_destinations(self) -> dict[str, str]:
        with self._tx() as c:
            rows = c.execute("SELECT name, reason FROM disabled_destinations").fetchall()
        return {name: reason for name, reason in rows}

    def add_feed_item(self, destination: str, delivery_id: str, body: bytes) -> None:
        with self._tx() as c:
            if c.execute("SELECT 1 FROM feed_items WHERE delivery_id = %s", (delivery_id,)).fetchone():
                return
            # The counter row's lock orders concurrent writers to one destination;
            # max(seq) + 1 would hand two of them the same number.
            row = c.execute(
                "INSERT INTO feed_counters (destination, seq) VALUES (%s, 1) ON CONFLICT (destination) "
                "DO UPDATE SET seq = feed_counters.seq + 1 RETURNING seq",
                (destination,),
            ).fetchone()
            if row is None:  # RETURNING always yields the row; never validate with assert
                raise UnavailableError("the feed counter could not be advanced")
            c.execute(
                "INSERT INTO feed_items (destination, seq, delivery_id, body) VALUES (%s, %s, %s, %s) "
                "ON CONFLICT (delivery_id) DO NOTHING",
                (destination, row[0], delivery_id, body),
            )

    def feed_items(self, destination: str, after: int, limit: int) -> list[FeedItem]:
        with self._tx() as c:
            rows = c.execute(
                "SELECT seq, delivery_id, body FROM feed_items WHERE destination = %s AND seq > %s "
                "ORDER BY seq LIMIT %s",
                (destination, after, limit),
            ).fetchall()
        return [FeedItem(row[0], row[1], bytes(row[2])) for row in rows]

    def queue_counts(self) -> list[QueueCount]:
        with self._tx() as c:
            rows = c.execute(
                "SELECT destination, state, count(*) FROM deliveries GROUP BY destination, state "
                "UNION ALL SELECT '', 'inbox', count(*) FROM inbox ORDER BY 1, 2"
            ).fetchall()
        return [QueueCount(*row) for row in rows]

    def check(self) -> None:
        with self._tx() as c:
            c.execute("SELECT 1 FROM inbox LIMIT 1").fetchall()

    def schema_version(self) -> int:
        with self._tx() as c:
            row = c.execute("SELECT coalesce(max(version), 0) FROM relay_schema").fetchone()
        return int(row[0]) if row else 0

    def close(self) -> None:
        self._pool.close()
