"""Throwaway PostgreSQL databases on the local server, for the backend tests.

RELAY_TEST_POSTGRES_URL names an administrative connection (default: the
local server as ``postgres``). Each test gets its own database, dropped after.
Without a server the tests are skipped with the reason; under CI=true they
fail instead, because `.ci/run` starts the server and a silent skip there
would hide a broken backend.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest

ADMIN_URL = os.environ.get("RELAY_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")


def _unavailable(reason: str) -> None:
    message = f"no PostgreSQL server for the backend tests at {ADMIN_URL}: {reason}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


@contextmanager
def throwaway_database() -> Iterator[str]:
    name = "relay_test_" + secrets.token_hex(6)
    try:
        admin = psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        _unavailable(str(exc).strip().splitlines()[0])
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"'.encode())
    url = psycopg.conninfo.make_conninfo(ADMIN_URL, dbname=name)
    try:
        yield url
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'.encode())


def as_url(conninfo: str) -> str:
    """A postgresql:// URL for relay.toml from a conninfo string."""
    params = psycopg.conninfo.conninfo_to_dict(conninfo)
    user = params.get("user", "")
    host, port, db = params.get("host", "127.0.0.1"), params.get("port", 5432), params["dbname"]
    return f"postgresql://{user + '@' if user else ''}{host}:{port}/{db}"
