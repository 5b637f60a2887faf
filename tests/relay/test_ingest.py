"""Group commit: concurrent reports share a durable commit, and nobody hears
"accepted" before the commit that holds their report."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from relay.ingest import InboxWriter
from relay.storage.sqlite import SQLiteStorage


class SlowStorage(SQLiteStorage):
    """Real SQLite, with a slow disk: each commit takes 20 ms."""

    def __init__(self, path: Path, fail: bool = False) -> None:
        super().__init__(path)
        self.batches: list[int] = []
        self.committed: set[bytes] = set()
        self.fail = fail
        self._seen = threading.Lock()

    def add_reports(self, reports: Sequence[tuple[str, bytes]]) -> None:
        time.sleep(0.02)
        if self.fail:
            raise OSError("disk full")
        super().add_reports(reports)
        with self._seen:
            self.batches.append(len(reports))
            self.committed.update(s for _, s in reports)


def test_concurrent_reports_share_commits_and_wait_for_theirs(tmp_path: Path) -> None:
    storage = SlowStorage(tmp_path / "relay.db")
    writer = InboxWriter(storage)
    early: list[bytes] = []

    async def submit(i: int) -> None:
        sealed = b"report-%d" % i
        await writer.add("kid", sealed)
        if sealed not in storage.committed:
            early.append(sealed)

    async def main() -> None:
        await asyncio.gather(*(submit(i) for i in range(100)))

    asyncio.run(main())
    assert early == []
    assert sum(storage.batches) == 100 and len(storage.batches) < 10
    assert len(storage.claim_reports(now=0, lease=60, limit=1000)) == 100


def test_a_failed_commit_reaches_every_waiter(tmp_path: Path) -> None:
    writer = InboxWriter(SlowStorage(tmp_path / "relay.db", fail=True))

    async def main() -> list[BaseException | None]:
        results = await asyncio.gather(*(writer.add("kid", b"r%d" % i) for i in range(10)),
                                       return_exceptions=True)
        return list(results)

    results = asyncio.run(main())
    assert all(isinstance(r, OSError) for r in results)


def test_a_failed_commit_is_not_a_202(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        asyncio.run(InboxWriter(SlowStorage(tmp_path / "relay.db", fail=True)).add("kid", b"x"))
