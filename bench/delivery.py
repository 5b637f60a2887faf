"""Delivery throughput: reports/s from ingest to a local webhook receiver,
mixing off, 1 and 2 workers, SQLite and PostgreSQL, in the same run.

    .venv/bin/python bench/delivery.py [--reports 2000] [--rounds 2]

Each round and configuration: a fresh data dir (and a throwaway PostgreSQL
database), `relay serve --no-worker` plus N `relay worker` processes running
while 8 client threads post REPORTS sealed reports; the rate is REPORTS over
the time from the first POST to the last arrival at the receiver (ingest,
durable commit, scrub, pseudonym, encrypt at rest, fan out, claim, sign,
POST, delete). Peer in the same round: the same client threads posting the
same number of requests straight to the receiver (what the harness itself
can carry). Configurations alternate within a round; medians are printed.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
import tempfile

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pipeline import TEXT, _nothing  # noqa: E402
from tests.harness import new_secret  # noqa: E402
from tests.helpers import Receiver, RelayProcess, init_data_dir, seal_for  # noqa: E402
from tests.postgres import as_url, throwaway_database  # noqa: E402

CONFIGS = [("sqlite", 1), ("sqlite", 2), ("postgresql", 1), ("postgresql", 2)]
THREADS = 8


def _post_all(url: str, bodies: list[dict[str, object]]) -> None:
    def post(part: int) -> None:
        with httpx.Client(timeout=60) as client:
            for body in bodies[part::THREADS]:
                client.post(url, json=body).raise_for_status()

    threads = [threading.Thread(target=post, args=(p,)) for p in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def _wait(condition: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 900
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up waiting for {what}")
        time.sleep(0.02)


def relay_rate(backend: str, workers: int, reports: int) -> float:
    receiver = Receiver().start()
    with tempfile.TemporaryDirectory() as tmp, \
            (throwaway_database() if backend == "postgresql" else _nothing()) as conninfo:
        data = Path(tmp) / "data"
        init_data_dir(data, [{"name": "ngo", "type": "webhook", "url": receiver.url, "secret": new_secret()}])
        env = {"RELAY_DATABASE_URL": as_url(conninfo)} if conninfo else {}
        api = RelayProcess(data, "--no-worker", env=env)
        procs = [subprocess.Popen([sys.executable, "-m", "relay", "worker", "--data-dir", str(data)],
                                  env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for _ in range(workers)]
        try:
            keyset = httpx.get(f"{api.url}/v1/keys").json()
            envelopes = [seal_for(api.url, {"text": f"{TEXT} ({i})", "location": {"lat": 25.68, "lon": -100.31}},
                                  keyset) for i in range(reports)]
            time.sleep(1)  # workers up and idle
            start = time.monotonic()
            _post_all(f"{api.url}/v1/reports", envelopes)
            _wait(lambda: len(receiver.requests) >= reports, f"{backend} x{workers}")
            elapsed = max(r.finished for r in receiver.requests) - start
        finally:
            for p in procs:
                p.terminate()
                p.wait()
            api.stop()
    receiver.stop()
    return reports / elapsed


def receiver_rate(reports: int) -> float:
    receiver = Receiver().start()
    body = {"type": "report", "text": TEXT}
    start = time.monotonic()
    _post_all(receiver.url, [body] * reports)
    elapsed = time.monotonic() - start
    receiver.stop()
    return reports / elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    rates: dict[str, list[float]] = {}
    for round_ in range(args.rounds):
        rates.setdefault("receiver alone", []).append(receiver_rate(args.reports))
        for backend, workers in CONFIGS:
            rate = relay_rate(backend, workers, args.reports)
            rates.setdefault(f"{backend} x{workers}", []).append(rate)
            print(f"round {round_ + 1}: {backend} x{workers}: {rate:.0f} reports/s", flush=True)
    ceiling = statistics.median(rates["receiver alone"])
    base = statistics.median(rates["sqlite x1"])
    print(f"\n{'configuration':16}{'reports/s':>11}{'vs sqlite x1':>14}{'vs receiver alone':>19}")
    for name, values in rates.items():
        rate = statistics.median(values)
        print(f"{name:16}{rate:11.0f}{rate / base:14.2f}{rate / ceiling:19.3f}")
    print(f"(cores: {os.cpu_count()}; client, API, workers, receiver and PostgreSQL share them)")


if __name__ == "__main__":
    main()
