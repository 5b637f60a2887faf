"""``relay``: one click group; each command parses, calls the library, prints.

Expected failures (``RelayError``, including ``ConfigError``) become one line
on stderr and exit status 1, never a traceback.
"""

from __future__ import annotations

import base64
import functools
import json
import mimetypes
import os
import sys
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from keys.secret import Secret
from relay.config import DestinationConfig, RelayConfig, load_config, resolve_data_dir
from relay.errors import ConfigError, RelayError

if TYPE_CHECKING:
    from relay.keystore import KeyStore
    from relay.storage import Storage

F = TypeVar("F", bound=Callable[..., Any])


def _fail(message: str) -> None:
    click.echo(f"relay: {message}", err=True)
    sys.exit(1)


def reports_errors(command: F) -> F:
    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except RelayError as exc:
            _fail(exc.message)

    return wrapper  # type: ignore[return-value]


data_dir_option = click.option(
    "--data-dir", envvar="RELAY_DATA_DIR", type=click.Path(file_okay=False, path_type=Path),
    default=None, help="Data directory (default ./relay-data, or $RELAY_DATA_DIR).",
)


def _config(data_dir: Path | None) -> RelayConfig:
    return load_config(data_dir)


def _passphrase(root: Path, *, confirm: bool = False) -> Secret[str] | None:
    """The key-file passphrase: $RELAY_KEY_PASSPHRASE, else asked on a terminal."""
    from relay.keystore import encrypted

    value = os.environ.get("RELAY_KEY_PASSPHRASE")
    if value:
        return Secret(value)
    if (confirm or encrypted(root)) and sys.stdin.isatty():
        return Secret(str(click.prompt("Key passphrase", hide_input=True, confirmation_prompt=confirm)))
    return None


def _keystore(config: RelayConfig) -> KeyStore:
    from relay.keystore import load_keystore

    return load_keystore(config, _passphrase(config.data_dir))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
def main() -> None:
    """Anonymizing report relay: sealed reports in, scrubbed pseudonymous deliveries out."""


@main.command()
@data_dir_option
@click.option("--encrypt-keys", is_flag=True,
              help="Seal key files under a passphrase ($RELAY_KEY_PASSPHRASE, or asked), Argon2id.")
@reports_errors
def init(data_dir: Path | None, encrypt_keys: bool) -> None:
    """Create the data dir: keys, epoch secrets dir and a demo relay.toml. Never overwrites."""
    from relay.datadir import write_demo_config
    from relay.keystore import encrypted, ensure_keys, make_key_dirs, set_passphrase, unlock

    root = resolve_data_dir(data_dir)
    config_defaults = RelayConfig(data_dir=root, destinations=())
    make_key_dirs(root)
    if encrypt_keys and not encrypted(root):
        passphrase = _passphrase(root, confirm=True)
        if passphrase is None:
            raise ConfigError("--encrypt-keys needs a passphrase: set RELAY_KEY_PASSPHRASE or run in a terminal")
        files = set_passphrase(root, passphrase)
    else:
        files = unlock(root, _passphrase(root))
    made = ensure_keys(root, datetime.now(UTC), config_defaults.ingest_key_validity, files)
    token = write_demo_config(root)
    for item in made:
        click.echo(f"created {item}")
    if token is not None:
        click.echo(f"created {root / 'relay.toml'} with demo destinations demo-feed, demo-map and demo-alerts")
        click.echo(f"bearer token for demo-feed (shown once): {token}")
    if not made and token is None:
        click.echo(f"{root} is already initialised; nothing changed")


@main.command()
@data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port to listen on.")
@click.option("--no-worker", is_flag=True, help="Serve HTTP only; run `relay worker` separately.")
@reports_errors
def serve(data_dir: Path | None, host: str, port: int, no_worker: bool) -> None:
    """Run the API, the form and the delivery worker in one process."""
    from relay.server import serve as run

    config = _config(data_dir)
    run(config, _keystore(config), host, port, with_worker=not no_worker)


@main.command()
@data_dir_option
@reports_errors
def worker(data_dir: Path | None) -> None:
    """Run a delivery worker alone (scale-out: any number share one database)."""
    from relay.server import run_worker

    config = _config(data_dir)
    run_worker(config, _keystore(config))


def _attachment(path: Path) -> dict[str, str]:
    return {
        "filename": path.name,
        "content_type": mimetypes.guess_type(path.name)[0] or "application/octet-stream",
        "data": base64.b64encode(path.read_bytes()).decode(),
    }


@main.command()
@click.option("--url", required=True, help="Base URL of the relay, e.g. http://127.0.0.1:8080.")
@click.option("--text", required=True, help="What happened.")
@click.option("--file", "files", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Attach a file (repeatable).")
@click.option("--lat", type=float, help="Latitude of the incident.")
@click.option("--lon", type=float, help="Longitude of the incident.")
@click.option("--place", help="Where, in words.")
@click.option("--category", help="checkpoint, shooting, disappearance, extortion or other.")
@click.option("--occurred-at", help="When, RFC 3339 with an offset.")
@click.option("--lang", type=click.Choice(["es", "en"]), help="Language of the text.")
@click.option("--codename", help="Continuity secret: same codename, same pseudonym per epoch.")
@click.option("--signing-key", envvar="RELAY_SIGNING_KEY",
              help="Pin the relay's Ed25519 key (base64); without it the key set is only self-consistent.")
@reports_errors
def submit(url: str, text: str, files: tuple[Path, ...], lat: float | None, lon: float | None,
           place: str | None, category: str | None, occurred_at: str | None, lang: str | None,
           codename: str | None, signing_key: str | None) -> None:
    """Partner-app client: fetch and verify keys, seal the report, post it."""
    from relay.client import submit_report

    if (lat is None) != (lon is None):
        raise click.UsageError("--lat and --lon go together")
    report: dict[str, Any] = {"text": text}
    optional = {"place": place, "category": category, "occurred_at": occurred_at, "lang": lang,
                "codename": codename}
    report.update({k: v for k, v in optional.items() if v is not None})
    if lat is not None:
        report["location"] = {"lat": lat, "lon": lon}
    if files:
        report["attachments"] = [_attachment(p) for p in files]
    pinned = base64.b64decode(signing_key) if signing_key else None
    result = submit_report(url, report, pinned_signing_key=pinned)
    if pinned is None:
        click.echo(f"note: key set not pinned; relay signing key is {result.signing_key}", err=True)
    click.echo(result.receipt)


@main.command("scrub-text")
def scrub_text_command() -> None:
    """JSON Lines on stdin ({"text", "lang"}) to JSON Lines on stdout ({"text", "redactions"})."""
    from scrubber.text import scrub_text

    out = sys.stdout
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            text, lang = item["text"], item.get("lang")
            if not isinstance(text, str):
                raise TypeError
        except (ValueError, KeyError, TypeError):
            _fail(f"line {number}: expected a JSON object with a string 'text'")
        result = scrub_text(text, lang if isinstance(lang, str) else None)
        redactions = [{"kind": r.kind, "start": r.start, "end": r.end} for r in result.redactions]
        out.write(json.dumps({"text": result.text, "redactions": redactions, "lang": result.lang},
                             ensure_ascii=False) + "\n")


@main.command("scrub-file")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("target", type=click.Path(dir_okay=False, path_type=Path))
@reports_errors
def scrub_file_command(source: Path, target: Path) -> None:
    """Clean one file's metadata into TARGET; non-zero exit with the reason when refused."""
    from scrubber.files import clean_file

    cleaned = clean_file(source.read_bytes())
    target.write_bytes(cleaned.data)
    removed = ", ".join(cleaned.removed) or "nothing"
    click.echo(f"cleaned {cleaned.content_type}; removed: {removed}", err=True)


@main.command()
@click.option("--lang", type=click.Choice(["es", "en"]), default="es", show_default=True,
              help="Language of the words.")
def codename(lang: str) -> None:
    """Print a new codename (9 words, 99 bits) for a citizen who wants continuity."""
    import os

    from keys.codenames import entropy_bits, generate_codename

    click.echo(generate_codename(lang, os.urandom(18)))
    click.echo(f"({entropy_bits():.0f} bits) Keep it secret and use it only here: the same codename gives "
               "the same pseudonym at one destination for one epoch. The relay does not store it and "
               "cannot recover it.", err=True)


@main.group()
def keys() -> None:
    """List, rotate and maintain the relay's keys."""


@keys.command("list")
@data_dir_option
@reports_errors
def keys_list(data_dir: Path | None) -> None:
    """List ingest keys (id, validity) and the signing key; never prints private keys."""
    from keys.keyring import rfc3339

    store = _keystore(_config(data_dir))
    now = datetime.now(UTC)
    current = store.keyring.current(now).kid
    for key in store.keyring:
        mark = "current" if key.kid == current else ("retired" if key.not_after <= now else "")
        click.echo(f"ingest  {key.kid}  created {rfc3339(key.created)}  not_after {rfc3339(key.not_after)}  {mark}")
    click.echo(f"signing ed25519 {base64.b64encode(store.signer.public_key).decode()}")


@keys.command("rotate")
@data_dir_option
@reports_errors
def keys_rotate(data_dir: Path | None) -> None:
    """Make a new ingest key now; the old one opens reports until its grace period ends."""
    config = _config(data_dir)
    new = _keystore(config).rotate(datetime.now(UTC))
    hours = config.ingest_key_grace.total_seconds() / 3600
    click.echo(f"new ingest key {new.kid}; previous keys open reports for {hours:g} more hours, then are destroyed")


@keys.command("maintain")
@data_dir_option
@reports_errors
def keys_maintain(data_dir: Path | None) -> None:
    """Run the key schedule once: rotate if due, destroy expired keys and epoch secrets."""
    events = _keystore(_config(data_dir)).maintain(datetime.now(UTC))
    click.echo("\n".join(events) if events else "nothing to do")


@main.command()
@data_dir_option
@reports_errors
def migrate(data_dir: Path | None) -> None:
    """Bring the database schema to this version (every start does it too)."""
    from relay.server import open_storage
    from relay.storage.migrations import LATEST

    storage = open_storage(_config(data_dir))
    applied = storage.applied_migrations
    storage.close()
    done = f"applied {', '.join(map(str, applied))}" if applied else "nothing to apply"
    click.echo(f"{storage.backend}: {done}; schema at version {LATEST}")


@main.group()
def destinations() -> None:
    """Inspect configured destinations."""


def _policy(destination: DestinationConfig) -> str:
    """The privacy policy in force, defaults resolved as the forwarder resolves them."""
    from forwarders import FORWARDERS, with_defaults

    kind = FORWARDERS.get(destination.type)
    d = with_defaults(destination, kind.public) if kind else destination
    noise = f" + noise eps {d.location_epsilon:g}/m" if d.location_epsilon else ""
    batch = f"batches of >= {d.batch_min}" + (f" every {d.batch_interval_s:g} s" if d.batch_interval_s else "")
    return (f"location {d.location_precision_m} m{noise}  time {d.time_precision}  delay {d.delay_mean_s:g} s  "
            f"{batch if (d.batch_min or 1) > 1 or d.batch_interval_s else 'no batches'}  "
            f"attachments {'on' if d.attachments else 'off'}")


@destinations.command("list")
@data_dir_option
@reports_errors
def destinations_list(data_dir: Path | None) -> None:
    """List destinations with their type and privacy policy (checks the config too)."""
    from relay.server import open_storage

    config = _config(data_dir)
    _keystore(config)
    storage = open_storage(config)
    disabled = storage.disabled_destinations()
    storage.close()
    for d in config.destinations:
        state = f"DISABLED ({disabled[d.name]})" if d.name in disabled else "enabled"
        click.echo(f"{d.name}  {d.type}  {_policy(d)}  {state}")


@destinations.command("enable")
@data_dir_option
@click.argument("name")
@reports_errors
def destinations_enable(data_dir: Path | None, name: str) -> None:
    """Re-enable a destination that answered 410 Gone; its kept deliveries go out again."""
    from relay.server import open_storage

    storage = open_storage(_config(data_dir))
    changed = storage.enable_destination(name)
    storage.close()
    if not changed:
        raise ConfigError(f"destination '{name}' is not disabled")
    click.echo(f"{name} enabled; its waiting deliveries will be sent")


@main.group()
def queue() -> None:
    """Inspect the delivery queue; retry or drop dead letters."""


@queue.command("list")
@data_dir_option
@reports_errors
def queue_list(data_dir: Path | None) -> None:
    """Counts per destination and state (inbox, pending, dead), pauses, and every dead letter."""
    import time

    from relay.server import open_storage

    storage = open_storage(_config(data_dir))
    try:
        for row in storage.queue_counts():
            click.echo(f"{row.destination or '(inbox)'}  {row.state}  {row.count}")
        for name, reason in storage.disabled_destinations().items():
            click.echo(f"{name}  DISABLED  {reason}")
        for name, until in storage.paused_destinations(time.time()).items():
            click.echo(f"{name}  paused for {until - time.time():.0f} s")
        dead = storage.dead_letters()
    finally:
        storage.close()
    if dead:
        click.echo("dead letters (id, destination, attempts, last error):")
    for letter in dead:
        click.echo(f"  {letter.id}  {letter.destination}  {letter.attempts}  {letter.last_error or ''}")


def _on_dead_letters(data_dir: Path | None, ids: tuple[str, ...], destination: str | None, everything: bool,
                     action: Callable[[Storage, tuple[str, ...], str | None], int]) -> int:
    if not ids and destination is None and not everything:
        raise click.UsageError("name dead letters by id, or pass --destination NAME or --all")
    from relay.server import open_storage

    storage = open_storage(_config(data_dir))
    try:
        return action(storage, ids, destination)
    finally:
        storage.close()


_selection_options = [
    click.argument("ids", nargs=-1),
    click.option("--destination", help="Every dead letter of this destination."),
    click.option("--all", "everything", is_flag=True, help="Every dead letter."),
]


def selection(command: F) -> F:
    for option in reversed(_selection_options):
        command = option(command)
    return command


@queue.command("retry")
@data_dir_option
@selection
@reports_errors
def queue_retry(data_dir: Path | None, ids: tuple[str, ...], destination: str | None, everything: bool) -> None:
    """Send dead letters again (due now, attempts reset)."""
    count = _on_dead_letters(data_dir, ids, destination, everything, lambda s, i, d: s.revive_dead(i, d))
    click.echo(f"{count} dead letter(s) queued again")


@queue.command("drop")
@data_dir_option
@selection
@reports_errors
def queue_drop(data_dir: Path | None, ids: tuple[str, ...], destination: str | None, everything: bool) -> None:
    """Delete dead letters for good (securely: they are gone from the database file)."""
    count = _on_dead_letters(data_dir, ids, destination, everything, lambda s, i, d: s.drop_dead(i, d))
    click.echo(f"{count} dead letter(s) dropped")
