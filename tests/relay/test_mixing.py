"""P5 timing decorrelation, with a fake clock: exponential delays scramble order
and timing; batches never release fewer than k reports."""

from __future__ import annotations

import json
import statistics
from pathlib import Path
from typing import Any

from tests.harness import Harness, make_harness, new_secret
from tests.helpers import Receiver

SPACING_S = 10.0


def _webhook(receiver: Receiver, **policy: Any) -> dict[str, Any]:
    return {"name": "ngo", "type": "webhook", "url": receiver.url, "secret": new_secret(), **policy}


def _run(h: Harness, receiver: Receiver, reports: int, until_s: float) -> tuple[list[int], list[float]]:
    """Submit one report every SPACING_S seconds, then let time run; returns the
    report numbers in delivery order and each one's delay from submission."""
    arrived: dict[int, float] = {}
    elapsed = 0.0

    def collect() -> None:
        for request in receiver.requests[len(arrived):]:
            number = int(json.loads(request.body)["text"].split()[-1])
            arrived[number] = elapsed - number * SPACING_S

    for i in range(reports):
        h.submit(f"reporte {i}")
        h.step()
        collect()
        h.clock.advance(SPACING_S)
        elapsed += SPACING_S
    while elapsed < until_s and len(arrived) < reports:
        h.step()
        collect()
        h.clock.advance(5)
        elapsed += 5
    return list(arrived), list(arrived.values())


def _spearman(order: list[int]) -> float:
    n = len(order)
    d2 = sum((position - number) ** 2 for position, number in enumerate(order))
    return 1 - 6 * d2 / (n * (n * n - 1))


def test_exponential_delay_decorrelates_order_and_timing(tmp_path: Path, receiver: Receiver) -> None:
    h = make_harness(tmp_path / "mixed", [_webhook(receiver, delay_mean_s=600)])
    try:
        order, delays = _run(h, receiver, reports=60, until_s=6 * 3600)
    finally:
        h.close()
    assert sorted(order) == list(range(60)), "every report arrives"
    assert _spearman(order) < 0.6, f"delivery order follows submission order ({_spearman(order):.2f})"
    assert statistics.pstdev(delays) > 300 and min(delays) >= 0  # spread like an exponential (sd = mean)
    assert 300 < statistics.mean(delays) < 1000


def test_without_mixing_order_is_submission_order(tmp_path: Path, receiver: Receiver) -> None:
    """The control: the same measurement fails to show mixing when there is none."""
    h = make_harness(tmp_path, [_webhook(receiver)])
    try:
        order, delays = _run(h, receiver, reports=30, until_s=3600)
    finally:
        h.close()
    assert _spearman(order) == 1.0 and max(delays) == 0


def test_a_batch_is_never_smaller_than_k(tmp_path: Path, receiver: Receiver) -> None:
    h = make_harness(tmp_path, [_webhook(receiver, batch_min=5, delay_mean_s=60)])
    releases = []
    try:
        for i in range(23):
            h.submit(f"reporte {i}")
            before = len(receiver.requests)
            h.step()
            releases.append(len(receiver.requests) - before)
            h.clock.advance(37)
        for _ in range(100):
            before = len(receiver.requests)
            h.step()
            releases.append(len(receiver.requests) - before)
            h.clock.advance(30)
        held = h.pending().get(("ngo", "pending"), 0)
    finally:
        h.close()
    sizes = [n for n in releases if n]
    assert sizes and min(sizes) >= 5, f"a batch smaller than k went out: {sizes}"
    assert sum(sizes) + held == 23 and held < 5  # what is left waits for company


def test_batches_go_out_only_on_schedule_ticks_in_shuffled_order(tmp_path: Path, receiver: Receiver) -> None:
    h = make_harness(tmp_path, [_webhook(receiver, batch_min=3, batch_interval_s=600)])
    release_times = []
    try:
        for i in range(40):
            h.submit(f"reporte {i}")
            before = len(receiver.requests)
            h.step()
            if len(receiver.requests) > before:
                release_times.append(h.clock().timestamp())
            h.clock.advance(60)
        order = [int(json.loads(r.body)["text"].split()[-1]) for r in receiver.requests]
    finally:
        h.close()
    ticks = [int(t // 600) for t in release_times]
    assert len(ticks) >= 3 and len(set(ticks)) == len(ticks), "at most one release per tick"
    assert order != sorted(order), "a batch kept its arrival order"
