"""Destination types, one module each, collected in an explicit registry.

Importing a module switches nothing on: only the ``FORWARDERS`` dict below
decides which types exist, and an unknown type in ``relay.toml`` stops
start-up with a message that lists the known ones.
"""

from __future__ import annotations

from forwarders.atom import AtomForwarder
from forwarders.base import Forwarder, ForwarderContext, with_defaults
from forwarders.feed import FeedForwarder
from forwarders.geojson import GeoJSONForwarder
from forwarders.ushahidi import UshahidiForwarder
from forwarders.webhook import WebhookForwarder
from relay.config import DestinationConfig
from relay.errors import ConfigError

FORWARDERS: dict[str, type[Forwarder]] = {
    c.type: c for c in (WebhookForwarder, FeedForwarder, GeoJSONForwarder, AtomForwarder, UshahidiForwarder)
}


def build_forwarders(
    destinations: tuple[DestinationConfig, ...], context: ForwarderContext
) -> dict[str, Forwarder]:
    """One forwarder per configured destination, or ``ConfigError`` naming what is wrong."""
    built: dict[str, Forwarder] = {}
    for destination in destinations:
        cls = FORWARDERS.get(destination.type)
        if cls is None:
            known = ", ".join(sorted(FORWARDERS))
            raise ConfigError(
                f"destination '{destination.name}': unknown type '{destination.type}' (known: {known})"
            )
        built[destination.name] = cls(with_defaults(destination, cls.public), context)
    return built


__all__ = ["FORWARDERS", "Forwarder", "ForwarderContext", "build_forwarders", "with_defaults"]
