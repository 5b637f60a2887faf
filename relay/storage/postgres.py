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
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from relay.errors import ConfigError, UnavailableError
from relay.storage import DeadLetter, Delivery, FeedItem, InboxItem, NewDelivery, QueueCount
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
        return self.fan_out_many([(report_id, deliveries)]) == 1

    def fan_out_many(self, reports: Sequence[tuple[int, Sequence[NewDelivery]]]) -> int:
        done = 0
        with self._tx() as c, c.cursor() as cur:
            for report_id, deliveries in reports:
                if cur.execute("DELETE FROM inbox WHERE id = %s", (report_id,)).rowcount == 0:
                    continue
                cur.executemany(
                    "INSERT INTO deliveries (id, destination, body, due) VALUES (%s, %s, %s, %s)",
                    [(d.id, d.destination, d.body, d.due) for d in deliveries],
                )
                done += 1
        return done

    def claim_deliveries(
        self, now: float, lease: float, limit: int, *, per_destination: int | None = None,
        only: Sequence[str] | None = None,
    ) -> list[Delivery]:
        # Window functions cannot take FOR UPDATE: lock candidates first (skipping
        # rows other workers hold), then keep at most ``per`` per destination.
        with self._tx() as c:
            rows = c.execute(
                "WITH candidates AS (SELECT d.id, d.destination, d.due FROM deliveries d "
                "WHERE d.state = 'pending' AND d.due <= %(now)s AND d.claimed_until <= %(now)s "
                "AND (%(all)s OR d.destination = ANY(%(only)s)) "
                "AND NOT EXISTS (SELECT 1 FROM destinations s WHERE s.name = d.destination "
                "AND (s.disabled_reason IS NOT NULL OR s.paused_until > %(now)s)) "
                "ORDER BY d.due LIMIT %(scan)s FOR UPDATE OF d SKIP LOCKED), "
                "ranked AS (SELECT id, due, row_number() OVER (PARTITION BY destination ORDER BY due) AS n "
                "FROM candidates) "
                "UPDATE deliveries SET claimed_until = %(until)s WHERE id IN "
                "(SELECT id FROM ranked WHERE n <= %(per)s ORDER BY due LIMIT %(limit)s) "
                "RETURNING id, destination, body, attempts",
                {"now": now, "until": now + lease, "all": only is None, "only": list(only or ()), "scan": limit * 4,
                 "per": per_destination or limit, "limit": limit},
            ).fetchall()
        return [Delivery(row[0], row[1], bytes(row[2]), row[3]) for row in rows]

    def release_batch(
        self, destination: str, now: float, lease: float, min_size: int, tick: int | None, limit: int
    ) -> list[Delivery]:
        with self._tx() as c:
            # The destination's row lock makes count-then-claim atomic across workers.
            c.execute("INSERT INTO destinations (name) VALUES (%s) ON CONFLICT (name) DO NOTHING",
                      (destination,))
            state = c.execute(
                "SELECT disabled_reason IS NULL AND paused_until <= %s, batch_tick FROM destinations "
                "WHERE name = %s FOR UPDATE", (now, destination)).fetchone()
            if state is None or not state[0] or (tick is not None and state[1] >= tick):
                return []
            if tick is not None:
                c.execute("UPDATE destinations SET batch_tick = %s WHERE name = %s", (tick, destination))
            row = c.execute(
                "SELECT count(*) FROM deliveries WHERE destination = %s AND state = 'pending' "
                "AND due <= %s AND claimed_until <= %s", (destination, now, now)).fetchone()
            if row is None or row[0] < min_size:
                return []
            rows = c.execute(
                "UPDATE deliveries SET claimed_until = %s WHERE id IN (SELECT id FROM deliveries "
                "WHERE destination = %s AND state = 'pending' AND due <= %s AND claimed_until <= %s "
                "ORDER BY due LIMIT %s) RETURNING id, destination, body, attempts",
                (now + lease, destination, now, now, limit),
            ).fetchall()
        return [Delivery(row[0], row[1], bytes(row[2]), row[3]) for row in rows]

    def complete_delivery(self, delivery_id: str) -> None:
        self.complete_deliveries([delivery_id])

    def complete_deliveries(self, delivery_ids: Sequence[str]) -> None:
        with self._tx() as c:
            c.execute("DELETE FROM deliveries WHERE id = ANY(%s)", (list(delivery_ids),))

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

    def dead_letters(self, destination: str | None = None) -> list[DeadLetter]:
        with self._tx() as c:
            rows = c.execute(
                "SELECT id, destination, attempts, last_error FROM deliveries WHERE state = 'dead' "
                "AND (%(d)s::text IS NULL OR destination = %(d)s) ORDER BY destination, id",
                {"d": destination},
            ).fetchall()
        return [DeadLetter(*row) for row in rows]

    @staticmethod
    def _dead_selection(ids: Sequence[str], destination: str | None) -> tuple[str, dict[str, Any]]:
        where = "state = 'dead' AND (%(d)s::text IS NULL OR destination = %(d)s)"
        if ids:
            where += " AND id = ANY(%(ids)s)"
        return where, {"d": destination, "ids": list(ids)}

    def revive_dead(self, ids: Sequence[str] = (), destination: str | None = None) -> int:
        where, params = self._dead_selection(ids, destination)
        with self._tx() as c:
            return c.execute(
                "UPDATE deliveries SET state = 'pending', due = 0, attempts = 0, claimed_until = 0 "
                "WHERE " + where, params).rowcount

    def drop_dead(self, ids: Sequence[str] = (), destination: str | None = None) -> int:
        where, params = self._dead_selection(ids, destination)
        with self._tx() as c:
            return c.execute("DELETE FROM deliveries WHERE " + where, params).rowcount

    def disable_destination(self, name: str, reason: str) -> None:
        with self._tx() as c:
            c.execute(
                "INSERT INTO destinations (name, disabled_reason) VALUES (%s, %s) "
                "ON CONFLICT (name) DO UPDATE SET disabled_reason = excluded.disabled_reason",
                (name, reason),
            )

    def enable_destination(self, name: str) -> bool:
        with self._tx() as c:
            return c.execute(
                "UPDATE destinations SET disabled_reason = NULL, paused_until = 0 "
                "WHERE name = %s AND disabled_reason IS NOT NULL", (name,)).rowcount > 0

    def disabled_destinations(self) -> dict[str, str]:
        with self._tx() as c:
            rows = c.execute(
                "SELECT name, disabled_reason FROM destinations WHERE disabled_reason IS NOT NULL"
            ).fetchall()
        return {name: reason for name, reason in rows}

    def pause_destination(self, name: str, until: float) -> None:
        with self._tx() as c:
            c.execute(
                "INSERT INTO destinations (name, paused_until) VALUES (%s, %s) ON CONFLICT (name) "
                "DO UPDATE SET paused_until = greatest(destinations.paused_until, excluded.paused_until)",
                (name, until),
            )

    def paused_destinations(self, now: float) -> dict[str, float]:
        with self._tx() as c:
            rows = c.execute(
                "SELECT name, paused_until FROM destinations WHERE paused_until > %s", (now,)).fetchall()
        return {name: until for name, until in rows}

    def add_feed_item(self, destination: str, delivery_id: str, body: bytes, published: float) -> None:
        with self._tx() as c:
            if c.execute("SELECT 1 FROM feed_items WHERE delivery_id = %s", (delivery_id,)).fetchone():
                return
            # The counter row's lock orders concurrent writers to one destination;
            # max(seq) + 1 would hand two of them the same number, and would reuse
            # numbers once retention has deleted every item.
            row = c.execute(
                "INSERT INTO feed_counters (destination, seq) VALUES (%s, 1) ON CONFLICT (destination) "
                "DO UPDATE SET seq = feed_counters.seq + 1 RETURNING seq",
                (destination,),
            ).fetchone()
            if row is None:  # RETURNING always yields the row; never validate with assert
                raise UnavailableError("the feed counter could not be advanced")
            c.execute(
                "INSERT INTO feed_items (destination, seq, delivery_id, body, published) "
                "VALUES (%s, %s, %s, %s, %s) ON CONFLICT (delivery_id) DO NOTHING",
                (destination, row[0], delivery_id, body, published),
            )

    def feed_items(self, destination: str, after: int, limit: int) -> list[FeedItem]:
        with self._tx() as c:
            rows = c.execute(
                "SELECT seq, delivery_id, body, published FROM feed_items WHERE destination = %s "
                "AND seq > %s ORDER BY seq LIMIT %s",
                (destination, after, limit),
            ).fetchall()
        return [FeedItem(row[0], row[1], bytes(row[2]), row[3]) for row in rows]

    def feed_head(self, destination: str) -> tuple[int, int]:
        with self._tx() as c:
            row = c.execute(
                "SELECT count(*), coalesce(max(seq), 0) FROM feed_items WHERE destination = %s",
                (destination,)).fetchone()
        return (int(row[0]), int(row[1])) if row else (0, 0)

    def purge_feed(self, destination: str, published_before: float) -> int:
        with self._tx() as c:
            return c.execute(
                "DELETE FROM feed_items WHERE destination = %s AND published < %s",
                (destination, published_before)).rowcount

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
