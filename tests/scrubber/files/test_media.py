"""Audio and video specifics: streams kept, tags and side tracks gone,
mutagen and ffprobe agree."""

from __future__ import annotations

import io
import json
from pathlib import Path

import mutagen
import pytest

from relay.errors import MalformedFileError, UnsupportedFileError
from scrubber.files import clean_file
from scrubber.files.media import MediaCleaner
from tests.scrubber.files import samples
from tests.tools import run


def _streams(data: bytes, tmp: Path) -> list[str]:
    path = tmp / "probe"
    path.write_bytes(data)
    probe = json.loads(run("ffprobe", "-v", "error", "-show_streams", "-of", "json", str(path)))
    return sorted(s["codec_type"] + (":cover" if s["disposition"].get("attached_pic") else "")
                  for s in probe["streams"])


@pytest.mark.parametrize("kind", ["mp3", "m4a", "ogg", "opus", "wav"])
def test_audio_keeps_its_sound_and_loses_tags_and_cover(kind: str, tmp_path: Path) -> None:
    data = samples.audio(tmp_path, kind)
    cleaned = clean_file(data)
    assert _streams(cleaned.data, tmp_path) == ["audio"]
    before = mutagen.File(io.BytesIO(data))
    after = mutagen.File(io.BytesIO(cleaned.data))
    assert not after.tags
    if kind != "wav":  # mutagen reads ID3 in WAV, ffmpeg writes LIST/INFO (exiftool sees it)
        assert before.tags
    assert abs(after.info.length - before.info.length) < 0.1
    if kind in ("mp3", "m4a"):
        assert "cover_art" in cleaned.removed


@pytest.mark.parametrize("kind", ["mp4", "mov"])
def test_video_keeps_picture_and_sound_and_loses_side_tracks(kind: str, tmp_path: Path) -> None:
    data = samples.video(tmp_path, kind)
    assert _streams(data, tmp_path) == ["audio", "subtitle", "video"]
    cleaned = clean_file(data)
    assert _streams(cleaned.data, tmp_path) == ["audio", "video"]
    assert b"x264 - core" in data and b"x264 - core" not in cleaned.data  # SEI units filtered
    assert {"location", "data_streams", "tags"} <= set(cleaned.removed)


@pytest.mark.parametrize("kind", ["mp3", "m4a", "wav", "mp4"])
def test_truncated_media_is_refused_or_clean(kind: str, tmp_path: Path) -> None:
    data = samples.video(tmp_path) if kind == "mp4" else samples.audio(tmp_path, kind)
    for cut in (16, len(data) // 3):
        try:
            cleaned = clean_file(data[:cut])
        except MalformedFileError:
            continue
        assert samples.OWNER.encode() not in cleaned.data and samples.SERIAL.encode() not in cleaned.data


def test_without_ffmpeg_media_is_refused_with_the_reason(tmp_path: Path) -> None:
    cleaner = MediaCleaner(ffmpeg="", ffprobe="")
    cleaner.ffmpeg = cleaner.ffprobe = None
    with pytest.raises(UnsupportedFileError, match="ffmpeg is not installed"):
        cleaner.clean(samples.audio(tmp_path, "wav"), "audio/wav")
