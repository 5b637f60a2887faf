"""The storage contract, run on every backend: SQLite and a real PostgreSQL."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from relay.storage import NewDelivery, Storage
from relay.storage.postgres import PostgresStorage
from relay.storage.sqlite import SQLiteStorage

MARKER = b"PLAINTEXT-MARKER-" * 8


@pytest.fixture(params=["sqlite", "postgresql"])
def storage(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Storage]:
    backend: Storage
    if request.param == "sqlite":
        backend = SQLiteStorage(tmp_path / "relay.db")
    else:
        backend = PostgresStorage(request.getfixturevalue("postgres_url"))
    yield backend
    backend.close()


def deliveries(n: int, destination: str = "ngo-a", due: float = 0.0) -> list[NewDelivery]:
    return [NewDelivery(f"d_{destination}_{i}", destination, b"body%d" % i, due) for i in range(n)]


def test_fan_out_removes_the_report_and_creates_deliveries_at_once(storage: Storage) -> None:
    storage.add_reports([("kid1", b"sealed-1")])
    [item] = storage.claim_reports(now=100, lease=60, limit=10)
    assert (item.kid, item.sealed) == ("kid1", b"sealed-1")
    assert storage.fan_out(item.id, deliveries(2))
    assert storage.claim_reports(now=1000, lease=60, limit=10) == []
    assert {d.id for d in storage.claim_deliveries(now=100, lease=60, limit=10)} == {"d_ngo-a_0", "d_ngo-a_1"}


def test_a_second_fan_out_of_the_same_report_is_refused_whole(storage: Storage) -> None:
    storage.add_reports([("kid1", b"sealed")])
    [item] = storage.claim_reports(now=0, lease=60, limit=1)
    assert storage.fan_out(item.id, deliveries(1))
    assert not storage.fan_out(item.id, [NewDelivery("d_other", "ngo-a", b"x", 0)])
    assert [d.id for d in storage.claim_deliveries(now=0, lease=60, limit=10)] == ["d_ngo-a_0"]


def test_leases_hide_claimed_work_until_they_expire(storage: Storage) -> None:
    storage.add_reports([("kid1", b"sealed")])
    assert len(storage.claim_reports(now=0, lease=60, limit=5)) == 1
    assert storage.claim_reports(now=30, lease=60, limit=5) == []
    assert len(storage.claim_reports(now=61, lease=60, limit=5)) == 1  # a crashed worker's claim


def test_due_time_retry_and_dead_letters(storage: Storage) -> None:
    storage.add_reports([("k", b"s")])
    [item] = storage.claim_reports(now=0, lease=60, limit=1)
    storage.fan_out(item.id, deliveries(1, due=500.0))
    assert storage.claim_deliveries(now=499, lease=60, limit=10) == []
    [d] = storage.claim_deliveries(now=500, lease=60, limit=10)
    storage.retry_delivery(d.id, due=900.0, error="HTTP 503")
    assert storage.claim_deliveries(now=600, lease=60, limit=10) == []
    [again] = storage.claim_deliveries(now=900, lease=60, limit=10)
    assert again.attempts == 1 and again.id == d.id
    storage.kill_delivery(d.id, "gave up")
    assert storage.claim_deliveries(now=10**9, lease=60, limit=10) == []
    counts = {(c.destination, c.state): c.count for c in storage.queue_counts()}
    assert counts[("ngo-a", "dead")] == 1


def test_disabled_destinations_are_not_claimed_but_kept(storage: Storage) -> None:
    storage.add_reports([("k", b"s")])
    [item] = storage.claim_reports(now=0, lease=60, limit=1)
    storage.fan_out(item.id, deliveries(1, "ngo-a") + deliveries(1, "ngo-b"))
    storage.disable_destination("ngo-a", "HTTP 410")
    assert [d.destination for d in storage.claim_deliveries(now=0, lease=60, limit=10)] == ["ngo-b"]
    assert storage.disabled_destinations() == {"ngo-a": "HTTP 410"}


def test_feed_items_are_idempotent_and_paged_per_destination(storage: Storage) -> None:
    for i in range(5):
        storage.add_feed_item("a", f"d{i}", b"x", 3600.0)
        storage.add_feed_item("b", f"e{i}", b"y", 3600.0)
    storage.add_feed_item("a", "d0", b"duplicate", 7200.0)
    page = storage.feed_items("a", after=0, limit=3)
    assert [i.seq for i in page] == [1, 2, 3]  # per-destination cursor: no gaps from "b"
    assert [i.delivery_id for i in storage.feed_items("a", after=3, limit=10)] == ["d3", "d4"]
    assert storage.feed_items("a", after=0, limit=10)[0].body == b"x"
    assert storage.feed_items("a", after=0, limit=10)[0].published == 3600.0
    assert storage.feed_head("a") == (5, 5)


def test_retention_purges_old_items_and_never_reuses_a_sequence_number(storage: Storage) -> None:
    storage.add_feed_item("a", "old1", b"x", 3600.0)
    storage.add_feed_item("a", "old2", b"x", 3600.0)
    storage.add_feed_item("a", "new", b"x", 90000.0)
    assert storage.purge_feed("a", published_before=7200.0) == 2
    assert [i.delivery_id for i in storage.feed_items("a", 0, 10)] == ["new"]
    assert storage.purge_feed("a", published_before=10**9) == 1
    storage.add_feed_item("a", "after", b"x", 10**9)
    assert [(i.seq, i.delivery_id) for i in storage.feed_items("a", 0, 10)] == [(4, "after")]
    assert storage.feed_head("a") == (1, 4)


def test_fan_out_many_commits_several_reports_at_once(storage: Storage) -> None:
    storage.add_reports([("k", b"s1"), ("k", b"s2")])
    a, b = storage.claim_reports(now=0, lease=60, limit=5)
    batch = [(a.id, deliveries(1, "x")), (b.id, [NewDelivery("d_y", "y", b"b", 0)]), (a.id, [])]
    assert storage.fan_out_many(batch) == 2  # the repeated report is refused, the rest stands
    assert {d.id for d in storage.claim_deliveries(now=0, lease=60, limit=10)} == {"d_x_0", "d_y"}


def test_claims_are_capped_per_destination_and_limited_to_the_named_ones(storage: Storage) -> None:
    storage.add_reports([("k", b"s")])
    [item] = storage.claim_reports(now=0, lease=60, limit=1)
    storage.fan_out(item.id, deliveries(10, "slow") + deliveries(3, "fast") + deliveries(2, "gone"))
    claimed = storage.claim_deliveries(now=0, lease=60, limit=20, per_destination=4, only=["slow", "fast"])
    by_destination = {name: sum(d.destination == name for d in claimed) for name in ("slow", "fast", "gone")}
    assert by_destination == {"slow": 4, "fast": 3, "gone": 0}


def test_a_paused_destination_waits_and_a_disabled_one_can_be_enabled(storage: Storage) -> None:
    storage.add_reports([("k", b"s")])
    [item] = storage.claim_reports(now=0, lease=60, limit=1)
    storage.fan_out(item.id, deliveries(1, "a") + deliveries(1, "b"))
    storage.pause_destination("a", until=100.0)
    storage.pause_destination("a", until=50.0)  # never shortens a pause
    assert [d.destination for d in storage.claim_deliveries(now=99, lease=1000, limit=10)] == ["b"]
    assert storage.paused_destinations(now=99) == {"a": 100.0}
    assert [d.destination for d in storage.claim_deliveries(now=101, lease=1, limit=10)] == ["a"]
    storage.disable_destination("b", "HTTP 410")
    assert storage.claim_deliveries(now=2000, lease=1, limit=10, only=["b"]) == []
    assert storage.enable_destination("b") and not storage.enable_destination("b")
    assert storage.disabled_destinations() == {}
    assert [d.destination for d in storage.claim_deliveries(now=3000, lease=1, limit=10, only=["b"])] == ["b"]


def test_a_batch_is_released_only_when_enough_wait_and_once_per_tick(storage: Storage) -> None:
    storage.add_reports([("k", b"s")])
    [item] = storage.claim_reports(now=0, lease=60, limit=1)
    storage.fan_out(item.id, deliveries(2, "map") + [NewDelivery("later", "map", b"l", 500.0)])
    assert storage.release_batch("map", now=10, lease=60, min_size=3, tick=None, limit=100) == []
    assert len(storage.release_batch("map", now=500, lease=1000, min_size=3, tick=1, limit=100)) == 3
    storage.add_reports([("k", b"t")])
    [other] = storage.claim_reports(now=0, lease=60, limit=1)
    storage.fan_out(other.id, [NewDelivery(f"m{i}", "map", b"m", 0.0) for i in range(5)])
    assert storage.release_batch("map", now=600, lease=60, min_size=3, tick=1, limit=100) == []  # tick used
    released = storage.release_batch("map", now=700, lease=600, min_size=3, tick=2, limit=100)
    assert len(released) == 5
    assert storage.release_batch("map", now=800, lease=60, min_size=1, tick=None, limit=100) == []


def test_dead_letters_are_listed_revived_and_dropped(storage: Storage) -> None:
    storage.add_reports([("k", b"s")])
    [item] = storage.claim_reports(now=0, lease=60, limit=1)
    storage.fan_out(item.id, deliveries(3, "a") + deliveries(1, "b"))
    for d in ("d_a_0", "d_a_1", "d_a_2", "d_b_0"):
        storage.kill_delivery(d, "HTTP 500")
    assert [(x.id, x.attempts, x.last_error) for x in storage.dead_letters("b")] == [("d_b_0", 1, "HTTP 500")]
    assert len(storage.dead_letters()) == 4
    assert storage.revive_dead(["d_a_0"]) == 1
    assert storage.drop_dead(destination="a") == 2
    assert storage.revive_dead() == 1  # everything left: d_b_0
    assert {d.id: d.attempts for d in storage.claim_deliveries(now=0, lease=60, limit=10)} == {"d_a_0": 0, "d_b_0": 0}
    assert storage.dead_letters() == []


def test_p2_sqlite_deleted_rows_leave_no_bytes(tmp_path: Path) -> None:
    path = tmp_path / "relay.db"
    storage = SQLiteStorage(path)
    storage.add_reports([("k", MARKER)])
    [item] = storage.claim_reports(now=0, lease=60, limit=1)
    storage.fan_out(item.id, [NewDelivery("d1", "a", MARKER, 0)])
    storage.complete_delivery("d1")
    storage.close()
    with sqlite3.connect(path) as conn:  # checkpoint, as any later open will
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    leftovers = [p.name for p in tmp_path.iterdir() if MARKER in p.read_bytes()]
    assert leftovers == []


def test_sqlite_database_file_is_private(tmp_path: Path) -> None:
    SQLiteStorage(tmp_path / "relay.db").close()
    assert (tmp_path / "relay.db").stat().st_mode & 0o077 == 0


def test_a_database_that_cannot_write_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    from relay.errors import UnavailableError

    storage = SQLiteStorage(tmp_path / "relay.db")
    storage._conn.execute("PRAGMA query_only = ON")  # stands in for a full or read-only disk
    with pytest.raises(UnavailableError):
        storage.add_reports([("kid", b"sealed")])
    storage._conn.execute("PRAGMA query_only = OFF")
    storage.add_reports([("kid", b"sealed")])  # and it recovers
    assert len(storage.claim_reports(now=0, lease=60, limit=5)) == 1


def test_concurrent_claimers_never_hold_the_same_item(storage: Storage) -> None:
    import threading

    storage.add_reports([("k", b"s%d" % i) for i in range(200)])
    [first] = storage.claim_reports(now=0, lease=600, limit=1)
    storage.fan_out(first.id, deliveries(100, "a") + deliveries(100, "b"))
    claimed: list[object] = []
    lock = threading.Lock()

    def claim() -> None:
        while batch := (storage.claim_reports(now=0, lease=600, limit=7)
                        or storage.claim_deliveries(now=0, lease=600, limit=7, per_destination=3)):
            with lock:
                claimed.extend(item.id for item in batch)

    threads = [threading.Thread(target=claim) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(claimed) == 399 and len(set(claimed)) == 399


def test_migrations_are_versioned_and_idempotent(storage: Storage) -> None:
    from relay.storage.migrations import LATEST

    assert storage.applied_migrations == list(range(1, LATEST + 1))
    assert storage.schema_version() == LATEST


def test_a_version_1_database_keeps_its_disabled_destinations_and_feeds(tmp_path: Path) -> None:
    from relay.storage.migrations import MIGRATIONS

    path = tmp_path / "relay.db"
    with sqlite3.connect(path) as conn:
        for statement in MIGRATIONS[0].sqlite:
            conn.execute(statement)
        conn.execute("PRAGMA user_version = 1")
        conn.execute("INSERT INTO disabled_destinations VALUES ('ngo', 'HTTP 410')")
        conn.execute("INSERT INTO feed_items VALUES ('map', 7, 'd7', x'00')")
    storage = SQLiteStorage(path)
    try:
        assert storage.applied_migrations == list(range(2, len(MIGRATIONS) + 1))
        assert storage.disabled_destinations() == {"ngo": "HTTP 410"}
        storage.add_feed_item("map", "d8", b"x", 0.0)
        assert [i.seq for i in storage.feed_items("map", 0, 10)] == [7, 8]
    finally:
        storage.close()
