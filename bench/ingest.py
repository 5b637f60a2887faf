"""Ingest throughput: `relay serve` beside a bare FastAPI endpoint, same machine, same run.

    python bench/ingest.py [--seconds 10] [--rounds 3] [--connections 32]

Needs wrk (`apt-get install wrk`): a Python load generator would saturate a
2-core machine before either server did. wrk posts one sealed envelope over
and over; the relay still opens, validates and durably stores every copy.
Rounds alternate between targets so that machine noise hits all of them; the
figures printed are medians, and the ratio is what to compare across runs.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.helpers import feed_destination, free_port, init_data_dir, seal_for  # noqa: E402

REPORT = {
    "text": "Retén de hombres armados en la carretera a Saltillo, a la altura del km 12. "
            "Revisan celulares y bajan a la gente de los camiones. Llámenme al 81 1234 5678 "
            "o escriban a vecino.mty@example.com. #AlertaMty",
    "category": "checkpoint",
    "occurred_at": "2026-11-20T21:47:00-06:00",
    "location": {"lat": 25.6866, "lon": -100.3161},
    "place": "Carretera a Saltillo km 12",
}
LUA = """wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = [[{body}]]
"""
UVICORN_SETTINGS = dict(access_log=False, proxy_headers=False, server_header=False, log_config=None)


def wait_healthy(url: str) -> None:
    for _ in range(200):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"{url} did not start")


def start_relay(data_dir: Path, *extra: str) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "relay", "serve", "--data-dir", str(data_dir),
                                "--port", str(port), *extra], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url)
    return process, url


def start_bare() -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    code = (f"import uvicorn, sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); "
            f"uvicorn.run('bare_app:app', host='127.0.0.1', port={port}, **{UVICORN_SETTINGS!r})")
    process = subprocess.Popen([sys.executable, "-c", code], stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url)
    return process, url


def run_wrk(url: str, script: Path, seconds: int, connections: int) -> dict[str, float]:
    out = subprocess.run(["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(script),
                          f"{url}/v1/reports"], capture_output=True, text=True, check=True).stdout
    if re.search(r"Non-2xx or 3xx responses: (\d+)", out):
        raise SystemExit("some requests were refused:\n" + out)

    def latency_ms(label: str) -> float:
        value, unit = re.search(rf"{label}%\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    return {"rps": rps, "p50": latency_ms("50"), "p99": latency_ms("99")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=32)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        with_worker, without_worker = Path(tmp) / "with-worker", Path(tmp) / "no-worker"
        for data in (with_worker, without_worker):
            init_data_dir(data, [feed_destination(), {"name": "map", "type": "geojson"}])
        # Both relays use the same ingest key, so one envelope serves both.
        shutil.rmtree(without_worker / "keys")
        shutil.copytree(with_worker / "keys", without_worker / "keys")
        targets = {
            "relay serve (API + worker)": start_relay(with_worker),
            "relay serve --no-worker": start_relay(without_worker, "--no-worker"),
            "bare FastAPI endpoint": start_bare(),
        }
        script = Path(tmp) / "post.lua"
        script.write_text(LUA.format(body=json.dumps(seal_for(targets["relay serve --no-worker"][1], REPORT))))
        results: dict[str, list[dict[str, float]]] = {name: [] for name in targets}
        try:
            for round_no in range(args.rounds):
                for name, (_, url) in targets.items():
                    results[name].append(run_wrk(url, script, args.seconds, args.connections))
                    print(f"round {round_no + 1} {name}: {results[name][-1]}", file=sys.stderr)
        finally:
            for process, _ in targets.values():
                process.terminate()
                process.wait()
    bare = statistics.median(r["rps"] for r in results["bare FastAPI endpoint"])
    print(f"\nwrk -t1 -c{args.connections} -d{args.seconds}s, {args.rounds} alternating rounds, medians\n")
    print("| target | reports/s | p50 ms | p99 ms | vs bare |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, rounds in results.items():
        rps = statistics.median(r["rps"] for r in rounds)
        p50 = statistics.median(r["p50"] for r in rounds)
        p99 = statistics.median(r["p99"] for r in rounds)
        print(f"| {name} | {rps:,.0f} | {p50:.1f} | {p99:.1f} | {rps / bare:.0%} |")


if __name__ == "__main__":
    main()
