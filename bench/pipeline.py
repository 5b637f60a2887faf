"""Pipeline throughput: reports/s from the inbox to a local webhook receiver,
SQLite with 1 worker beside PostgreSQL with 1, 2 and 4 workers, same run.

    .venv/bin/python bench/pipeline.py [--reports 3000] [--rounds 2]

Each round and configuration: a fresh data dir (and a throwaway PostgreSQL
database), REPORTS sealed reports ingested through `relay serve --no-worker`,
the API stopped, then N `relay worker` processes started; the rate is
reports delivered between the first and the last arrival at the receiver
(scrub, pseudonym, encrypt at rest, fan out, claim, sign, POST, delete).
Mixing off. Configurations alternate within a round; medians are printed.
"""

from __future__ import annotations

import argparse
import base64
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import Receiver, RelayProcess, init_data_dir, seal_for  # noqa: E402
from tests.postgres import as_url, throwaway_database  # noqa: E402

CONFIGS = [("sqlite", 1), ("postgresql", 1), ("postgresql", 2), ("postgresql", 4)]
TEXT = ("Retén de hombres armados en la carretera a Saltillo, a la altura del km 12. "
        "Llámenme al 81 1234 5678 o escriban a vecino.mty@example.com. #AlertaMty")


def ingest(data: Path, env: dict[str, str], reports: int) -> None:
    api = RelayProcess(data, "--no-worker", env=env)
    try:
        keyset = httpx.get(f"{api.url}/v1/keys").json()
        envelopes = [seal_for(api.url, {"text": f"{TEXT} ({i})", "location": {"lat": 25.68, "lon": -100.31}},
                              keyset) for i in range(reports)]

        def post(part: int) -> None:
            with httpx.Client(timeout=60) as client:
                for envelope in envelopes[part::8]:
                    client.post(f"{api.url}/v1/reports", json=envelope).raise_for_status()

        threads = [threading.Thread(target=post, args=(p,)) for p in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        api.stop()


def run(backend: str, workers: int, reports: int) -> float:
    receiver = Receiver().start()
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data"
        secret = "whsec_" + base64.b64encode(os.urandom(24)).decode()
        init_data_dir(data, [{"name": "ngo-a", "type": "webhook", "url": receiver.url, "secret": secret}])
        with throwaway_database() if backend == "postgresql" else _nothing() as conninfo:
            env = {"RELAY_DATABASE_URL": as_url(conninfo)} if conninfo else {}
            ingest(data, env, reports)
            procs = [subprocess.Popen([sys.executable, "-m", "relay", "worker", "--data-dir", str(data)],
                                      env={**os.environ, **env}, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.DEVNULL) for _ in range(workers)]
            try:
                deadline = time.monotonic() + 600
                while len(receiver.requests) < reports and time.monotonic() < deadline:
                    time.sleep(0.1)
            finally:
                for p in procs:
                    p.terminate()
                    p.wait()
    receiver.stop()
    arrivals = sorted(r.finished for r in receiver.requests)
    if len(arrivals) < reports:
        raise SystemExit(f"{backend} x{workers}: only {len(arrivals)} of {reports} delivered")
    return (len(arrivals) - 1) / (arrivals[-1] - arrivals[0])


class _nothing:
    def __enter__(self) -> str:
        return ""

    def __exit__(self, *exc: object) -> None:
        return None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--reports", type=int, default=3000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    rates: dict[tuple[str, int], list[float]] = {c: [] for c in CONFIGS}
    for round_ in range(args.rounds):
        for backend, workers in CONFIGS:
            rate = run(backend, workers, args.reports)
            rates[(backend, workers)].append(rate)
            print(f"round {round_ + 1}: {backend} x{workers}: {rate:.0f} reports/s", flush=True)
    base = statistics.median(rates[("sqlite", 1)])
    pg1 = statistics.median(rates[("postgresql", 1)])
    print(f"\n{'backend':12}{'workers':>8}{'reports/s':>11}{'vs sqlite x1':>14}{'vs pg x1':>10}")
    for backend, workers in CONFIGS:
        rate = statistics.median(rates[(backend, workers)])
        print(f"{backend:12}{workers:8}{rate:11.0f}{rate / base:14.2f}{rate / pg1:10.2f}")
    print(f"(cores: {os.cpu_count()}; receiver, API and PostgreSQL share them)")


if __name__ == "__main__":
    main()
