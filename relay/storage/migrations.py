"""Versioned schema migrations for both backends.

Each migration has a version, a name, and its statements for SQLite and for
PostgreSQL. ``relay migrate`` applies the missing ones, and every process
applies them on start; concurrent starters are serialised (``BEGIN
IMMEDIATE`` on SQLite, an advisory transaction lock on PostgreSQL), so three
nodes starting at once migrate once. A database newer than this code is
refused: old code must not write to a schema it does not know.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

import psycopg

from relay.errors import ConfigError


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    sqlite: tuple[str, ...]
    postgres: tuple[str, ...]


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        1, "inbox, deliveries, feed items, disabled destinations",
        sqlite=(
            "CREATE TABLE IF NOT EXISTS inbox (id INTEGER PRIMARY KEY, kid TEXT NOT NULL, "
            "sealed BLOB NOT NULL, claimed_until FLOAT DEFAULT 0.0)",
            "CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, destination TEXT NOT NULL, "
            "body BLOB NOT NULL, due FLOAT NOT NULL, attempts INTEGER DEFAULT 0, "
            "state TEXT NOT NULL DEFAULT 'pending', last_error TEXT, claimed_until FLOAT DEFAULT 0.0)",
            # seq counts per destination: a global counter would tell one
            # destination how many reports went to the others in between.
            "CREATE TABLE IF NOT EXISTS feed_items (destination TEXT, seq INTEGER, "
            "delivery_id TEXT NOT NULL, body BLOB NOT NULL, PRIMARY KEY (destination, seq))",
            "CREATE TABLE IF NOT EXISTS disabled_destinations (name TEXT PRIMARY KEY, reason TEXT)",
            "CREATE INDEX IF NOT EXISTS deliveries_due ON deliveries(state, due)",
            "CREATE UNIQUE INDEX IF NOT EXISTS feed_items_delivery ON feed_items(delivery_id)",
        ),
        postgres=(
            "CREATE TABLE inbox (id BIGSERIAL PRIMARY KEY, kid TEXT NOT NULL, sealed BYTEA NOT NULL, "
            "claimed_until DOUBLE PRECISION NOT NULL DEFAULT 0)",
            "CREATE TABLE deliveries (id TEXT PRIMARY KEY, destination TEXT NOT NULL, body BYTEA NOT NULL, "
            "due DOUBLE PRECISION NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, "
            "state TEXT NOT NULL DEFAULT 'pending', last_error TEXT, "
            "claimed_until DOUBLE PRECISION NOT NULL DEFAULT 0)",
            "CREATE TABLE feed_items (destination TEXT NOT NULL, seq BIGINT NOT NULL, "
            "delivery_id TEXT NOT NULL UNIQUE, body BYTEA NOT NULL, PRIMARY KEY (destination, seq))",
            "CREATE TABLE feed_counters (destination TEXT PRIMARY KEY, seq BIGINT NOT NULL)",
            "CREATE TABLE disabled_destinations (name TEXT PRIMARY KEY, reason TEXT)",
            "CREATE INDEX deliveries_due ON deliveries (state, due)",
        ),
    ),
    Migration(
        2, "destination state (disabled, paused, batch tick), feed publication hour",
        sqlite=(
            "CREATE TABLE destinations (name TEXT PRIMARY KEY, disabled_reason TEXT, "
            "paused_until FLOAT NOT NULL DEFAULT 0, batch_tick INTEGER NOT NULL DEFAULT -1)",
            "INSERT INTO destinations (name, disabled_reason) SELECT name, reason FROM disabled_destinations",
            "DROP TABLE disabled_destinations",
            "ALTER TABLE feed_items ADD COLUMN published FLOAT NOT NULL DEFAULT 0",
            "CREATE INDEX deliveries_destination ON deliveries (destination, state, due)",
            "CREATE TABLE feed_counters (destination TEXT PRIMARY KEY, seq INTEGER NOT NULL)",
            "INSERT INTO feed_counters SELECT destination, max(seq) FROM feed_items GROUP BY destination",
        ),
        postgres=(
            "CREATE TABLE destinations (name TEXT PRIMARY KEY, disabled_reason TEXT, "
            "paused_until DOUBLE PRECISION NOT NULL DEFAULT 0, batch_tick BIGINT NOT NULL DEFAULT -1)",
            "INSERT INTO destinations (name, disabled_reason) SELECT name, reason FROM disabled_destinations",
            "DROP TABLE disabled_destinations",
            "ALTER TABLE feed_items ADD COLUMN published DOUBLE PRECISION NOT NULL DEFAULT 0",
            "CREATE INDEX deliveries_destination ON deliveries (destination, state, due)",
        ),
    ),
)
LATEST = MIGRATIONS[-1].version
_ADVISORY_LOCK = 0x72656C6179  # "relay"


def _pending(current: int) -> list[Migration]:
    if current > LATEST:
        raise ConfigError(f"the database schema is version {current}, newer than this relay ({LATEST}); "
                          "upgrade the relay")
    return [m for m in MIGRATIONS if m.version > current]


def migrate_sqlite(conn: sqlite3.Connection) -> list[int]:
    """Apply missing migrations in the caller's ``BEGIN IMMEDIATE`` transaction."""
    applied = []
    for migration in _pending(conn.execute("PRAGMA user_version").fetchone()[0]):
        for statement in migration.sqlite:
            conn.execute(statement)
        conn.execute(f"PRAGMA user_version = {migration.version}")
        applied.append(migration.version)
    return applied


def migrate_postgres(conn: psycopg.Connection) -> list[int]:
    """Apply missing migrations in the caller's transaction, under an advisory lock."""
    conn.execute("SELECT pg_advisory_xact_lock(%s)", (_ADVISORY_LOCK,))
    conn.execute("CREATE TABLE IF NOT EXISTS relay_schema (version INTEGER PRIMARY KEY, name TEXT NOT NULL)")
    row = conn.execute("SELECT coalesce(max(version), 0) FROM relay_schema").fetchone()
    applied = []
    for migration in _pending(row[0] if row else 0):
        for statement in migration.postgres:
            conn.execute(statement.encode())
        conn.execute("INSERT INTO relay_schema (version, name) VALUES (%s, %s)",
                     (migration.version, migration.name))
        applied.append(migration.version)
    return applied
