from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.helpers import Receiver
from tests.postgres import as_url, throwaway_database


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A postgresql:// URL of an empty database that is dropped after the test."""
    with throwaway_database() as conninfo:
        yield as_url(conninfo)
