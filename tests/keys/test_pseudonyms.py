from __future__ import annotations

import os
from datetime import UTC, datetime, timedelta

from keys.pseudonyms import delivery_id, epoch_index, epoch_label, normalize_codename, pseudonym, sender_key

CODENAME = "nube faro limón trigo cobre viento sal"


def test_p4_one_codename_two_destinations_two_epochs_four_pseudonyms() -> None:
    sender = sender_key(CODENAME)
    epochs = [os.urandom(32), os.urandom(32)]
    names = {pseudonym(e, d, sender, os.urandom(16)) for e in epochs for d in ("ngo-a", "ngo-b")}
    assert len(names) == 4


def test_p4_same_codename_same_destination_same_epoch_is_stable() -> None:
    epoch = os.urandom(32)
    first = pseudonym(epoch, "ngo-a", sender_key(CODENAME), os.urandom(16))
    again = pseudonym(epoch, "ngo-a", sender_key("  NUBE faro limon Trigo cobre viento sal "), os.urandom(16))
    assert first == again


def test_p4_without_codename_every_report_is_fresh() -> None:
    epoch = os.urandom(32)
    assert len({pseudonym(epoch, "ngo-a", None, os.urandom(16)) for _ in range(50)}) == 50


def test_pseudonym_is_human_friendly_and_long_enough() -> None:
    name = pseudonym(os.urandom(32), "ngo-a", sender_key(CODENAME), b"")
    assert len(name.replace("-", "")) == 13 and name.count("-") == 2  # 65 bits


def test_codename_normalisation() -> None:
    assert normalize_codename("Árbol\t LUNA ") == "arbol luna"


def test_delivery_ids_are_unrelated_random_values() -> None:
    ids = {delivery_id(os.urandom(16)) for _ in range(100)}
    assert len(ids) == 100 and all(i.startswith("d_") for i in ids)


def test_epochs_are_fixed_windows() -> None:
    week = timedelta(days=7)
    now = datetime(2026, 11, 21, 12, tzinfo=UTC)
    index = epoch_index(now, week)
    assert epoch_index(now + week, week) == index + 1
    assert epoch_label(index, week) <= "2026-11-21"
