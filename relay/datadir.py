"""The data directory's configuration: the demo ``relay.toml`` that ``relay init``
writes, and the hashing of feed tokens it prints. Key material is in
``relay.keystore``."""

from __future__ import annotations

import hashlib
import secrets
from pathlib import Path

from relay.config import CONFIG_FILE
from relay.privatefiles import create_exclusive


def hash_token(token: str) -> str:
    """Bearer tokens are stored as SHA-256: a leaked config does not grant feed access."""
    return hashlib.sha256(token.encode()).hexdigest()


DEMO_CONFIG = """\
# relay.toml: written by `relay init`. See the README for every setting.
# The demo destinations need no outside service: a pull feed (for an NGO's
# tools) and public GeoJSON and Atom map feeds, all served by this relay.

[relay]
max_body_bytes = 26214400       # 25 MiB, attachments included
image_max_side = 2048           # photos downscaled to this longest side (0: full size)
epoch_days = 7                  # pseudonyms rotate every epoch
ingest_key_validity_days = 30
ingest_key_grace_hours = 48

[[destinations]]
name = "demo-feed"
type = "feed"                   # GET /v1/feeds/demo-feed with the bearer token below
token_sha256 = "{token_sha256}"
location_precision_m = 100
time_precision = "hour"
delay_mean_s = 0

[[destinations]]
name = "demo-map"
type = "geojson"                # public: GET /public/demo-map.geojson
location_precision_m = 1000
time_precision = "day"
# Public maps publish in batches so that a point's appearance does not date
# its sender. The defaults are batches of at least 5, every 15 minutes; the
# demo releases once 2 reports wait, after a random delay of about 30 s.
batch_min = 2
batch_interval_s = 0
delay_mean_s = 30

[[destinations]]
name = "demo-alerts"
type = "atom"                   # public: GET /public/demo-alerts.atom (feed readers, QGIS)
location_precision_m = 1000
time_precision = "day"
batch_min = 2
batch_interval_s = 0
delay_mean_s = 30

# An NGO's webhook (Standard Webhooks; body age-encrypted when age_recipient is set):
# [[destinations]]
# name = "ngo-a"
# type = "webhook"
# url = "https://ngo-a.example/hooks/relay"
# secret = "whsec_..."
# age_recipient = "age1..."
# location_precision_m = 100
# time_precision = "hour"
# delay_mean_s = 300
# location_epsilon = 0.01       # optional planar-Laplace noise (mean 2/epsilon = 200 m)
# fields = ["category", "text", "place", "location", "occurred", "attachments", "redactions", "pseudonym"]

# A public Ushahidi map (v5 API); posts are coarsened and batched like any public feed:
# [[destinations]]
# name = "mapa"
# type = "ushahidi"
# url = "https://mapa.example.org"      # the platform's API host
# survey_id = 3
# client_id = "ushahidiui"
# secret = "<OAuth client secret>"
# username = "relay@ngo.example"        # optional: post as this account
# password = "..."
"""


def write_demo_config(data_dir: Path) -> str | None:
    """Write the demo ``relay.toml`` unless one exists; returns the feed token it made, once."""
    token = secrets.token_urlsafe(32)
    written = create_exclusive(
        data_dir / CONFIG_FILE, DEMO_CONFIG.format(token_sha256=hash_token(token)).encode()
    )
    return token if written else None
