"""The CLI: every command has help and is in the README; init is safe to repeat;
expected failures are one line on stderr and a non-zero exit."""

from __future__ import annotations

import io
import json
import stat
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner
from PIL import Image

from relay.cli import main

README = (Path(__file__).parent.parent / "README.md").read_text()


def command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = []
    for name, command in group.commands.items():
        path = (*prefix, name)
        if isinstance(command, click.Group):
            paths.extend(command_paths(command, path))
        else:
            paths.append(path)
    return paths


@pytest.mark.parametrize("path", command_paths(main), ids=" ".join)
def test_every_command_has_help_and_is_in_the_readme(path: tuple[str, ...]) -> None:
    result = CliRunner().invoke(main, [*path, "--help"])
    assert result.exit_code == 0 and len(result.output) > 80
    assert f"relay {' '.join(path)}" in README


def relay(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "relay", *args], input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_init_creates_private_files_and_never_overwrites(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = relay("init", "--data-dir", str(data))
    assert first.returncode == 0 and "bearer token for demo-feed" in first.stdout
    files = {p: p.read_bytes() for p in data.rglob("*") if p.is_file()}
    assert any("ingest" in str(p) for p in files) and (data / "relay.toml") in files
    for path in [data, *data.rglob("*")]:
        mode = stat.S_IMODE(path.stat().st_mode)
        assert mode == (0o700 if path.is_dir() else 0o600), path
    second = relay("init", "--data-dir", str(data))
    assert second.returncode == 0 and "nothing changed" in second.stdout
    assert {p: p.read_bytes() for p in data.rglob("*") if p.is_file()} == files


def test_data_dir_from_the_environment(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["init"], env={"RELAY_DATA_DIR": str(tmp_path / "env-data")})
    assert result.exit_code == 0 and (tmp_path / "env-data" / "relay.toml").exists()


def test_commands_on_a_missing_data_dir_fail_in_one_line(tmp_path: Path) -> None:
    done = relay("queue", "list", "--data-dir", str(tmp_path / "none"))
    assert done.returncode == 1 and done.stderr.count("\n") == 1 and "relay init" in done.stderr


def test_scrub_text_streams_json_lines() -> None:
    lines = [{"text": "Llámame al 81 1234 5678", "lang": "es"}, {"text": "mail me at a@b.org"}]
    done = relay("scrub-text", stdin="\n".join(json.dumps(x) for x in lines) + "\n")
    out = [json.loads(line) for line in done.stdout.splitlines()]
    assert out[0]["text"] == "Llámame al [TELÉFONO]"
    assert out[0]["redactions"] == [{"kind": "phone", "start": 11, "end": 23}]
    assert out[1]["text"] == "mail me at [EMAIL]"
    bad = relay("scrub-text", stdin="not json\n")
    assert bad.returncode == 1 and "line 1" in bad.stderr


def test_scrub_file_cleans_or_refuses(tmp_path: Path) -> None:
    exif = Image.Exif()
    exif[0x013B] = "ARTIST-MARKER"
    source, target = tmp_path / "in.jpg", tmp_path / "out.jpg"
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30)).save(buffer, "JPEG", exif=exif)
    source.write_bytes(buffer.getvalue())
    done = relay("scrub-file", str(source), str(target))
    assert done.returncode == 0 and b"ARTIST-MARKER" not in target.read_bytes()
    (tmp_path / "doc.exe").write_bytes(b"MZ\x90\x00 not allowed")
    refused = relay("scrub-file", str(tmp_path / "doc.exe"), str(tmp_path / "x"))
    assert refused.returncode == 1 and "not accepted" in refused.stderr and not (tmp_path / "x").exists()


def test_dead_letters_are_listed_retried_and_dropped_from_the_cli(tmp_path: Path) -> None:
    from relay.storage import NewDelivery
    from relay.storage.sqlite import SQLiteStorage
    from tests.helpers import feed_destination, init_data_dir

    init_data_dir(tmp_path, [feed_destination("ngo"), feed_destination("other")])
    storage = SQLiteStorage(tmp_path / "relay.db")
    storage.add_reports([("k", b"s")])
    [item] = storage.claim_reports(now=0, lease=60, limit=1)
    storage.fan_out(item.id, [NewDelivery(f"d_{i}", "ngo" if i < 3 else "other", b"x", 0) for i in range(4)])
    for i in range(4):
        storage.kill_delivery(f"d_{i}", "HTTP 500")
    storage.disable_destination("other", "HTTP 410 Gone: destination disabled")
    storage.close()
    data = ["--data-dir", str(tmp_path)]
    listed = relay("queue", "list", *data)
    assert "ngo  dead  3" in listed.stdout and "other  DISABLED" in listed.stdout
    assert "  d_0  ngo  1  HTTP 500" in listed.stdout
    assert relay("queue", "retry", *data).returncode == 2  # nothing named: refused, not "all"
    assert relay("queue", "retry", "d_0", *data).stdout.strip() == "1 dead letter(s) queued again"
    assert relay("queue", "drop", "--destination", "ngo", *data).stdout.strip() == "2 dead letter(s) dropped"
    assert relay("queue", "drop", "--all", *data).stdout.strip() == "1 dead letter(s) dropped"
    after = relay("queue", "list", *data).stdout
    assert "ngo  pending  1" in after and "dead" not in after
    assert relay("destinations", "enable", "other", *data).returncode == 0
    again = relay("destinations", "enable", "other", *data)
    assert again.returncode == 1 and "not disabled" in again.stderr
    policies = relay("destinations", "list", *data).stdout
    assert "ngo  feed  location 1000 m  time hour  delay 0 s  no batches  attachments on  enabled" in policies
