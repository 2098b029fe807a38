"""Uploaded answer recordings: what is accepted, and the code for each rejection."""

from __future__ import annotations

import io
import struct
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
import pytest

from interviews.engine.audio import (
    MESSAGES,
    AudioRejected,
    decode_to_float32_16k,
    inspect_audio,
    sniff_container,
)

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "audio"
LIMITS = {"max_bytes": 5_000_000, "max_duration_s": 180.0}
RATE = 48_000


def tone(seconds: float, *, amplitude: float = 0.3) -> np.ndarray:
    t = np.arange(int(RATE * seconds)) / RATE
    return (amplitude * np.sin(2 * np.pi * 220 * t)).astype(np.float32)


def encode(samples: np.ndarray, *, container: str, codec: str, **options: str) -> bytes:
    """Encode mono float samples the way a browser's MediaRecorder would package them."""
    buffer = io.BytesIO()
    with av.open(buffer, "w", format=container, options=options) as output:
        stream = output.add_stream(codec, rate=RATE)
        stream.layout = "mono"
        step = 960
        for start in range(0, samples.size, step):
            frame = av.AudioFrame.from_ndarray(
                samples[start : start + step].reshape(1, -1), format="flt", layout="mono"
            )
            frame.sample_rate = RATE
            frame.pts = start
            frame.time_base = Fraction(1, RATE)
            for packet in stream.encode(frame):
                output.mux(packet)
        for packet in stream.encode(None):
            output.mux(packet)
    return buffer.getvalue()


def wav(samples: np.ndarray, *, rate: int = 16_000) -> bytes:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    fmt = struct.pack("<HHIIHH", 1, 1, rate, rate * 2, 2, 16)
    body = b"WAVE" + b"fmt " + struct.pack("<I", len(fmt)) + fmt
    body += b"data" + struct.pack("<I", len(pcm)) + pcm
    return b"RIFF" + struct.pack("<I", len(body)) + body


@pytest.fixture(scope="module")
def webm_opus() -> bytes:
    return encode(tone(3.0), container="webm", codec="libopus")


@pytest.fixture(scope="module")
def mp4_aac() -> bytes:
    # Safari records fragmented MP4; the plain layout (index at the end) is checked too.
    return encode(tone(3.0), container="mp4", codec="aac", movflags="frag_keyframe+empty_moov")


def rejection(data: bytes, declared_type: str, **limits: float) -> AudioRejected:
    with pytest.raises(AudioRejected) as caught:
        inspect_audio(data, declared_type=declared_type, **{**LIMITS, **limits})
    assert caught.value.message == MESSAGES[caught.value.code]
    return caught.value


def test_webm_opus_is_accepted_with_its_decoded_duration(webm_opus: bytes) -> None:
    info = inspect_audio(webm_opus, declared_type="audio/webm;codecs=opus", **LIMITS)

    assert (info.container, info.codec, info.sample_rate) == ("webm", "opus", RATE)
    assert info.duration_s == pytest.approx(3.0, abs=0.05)
    assert info.bytes == len(webm_opus)
    assert not info.is_silent


def test_mp4_aac_is_accepted_with_its_decoded_duration(mp4_aac: bytes) -> None:
    info = inspect_audio(mp4_aac, declared_type='audio/mp4; codecs="mp4a.40.2"', **LIMITS)

    assert (info.container, info.codec) == ("mp4", "aac")
    assert info.duration_s == pytest.approx(3.0, abs=0.05)
    assert not info.is_silent


def test_real_speech_samples_are_accepted() -> None:
    flac = inspect_audio((FIXTURES / "jfk.flac").read_bytes(), declared_type="audio/flac", **LIMITS)
    mp3 = inspect_audio(
        (FIXTURES / "hotwords.mp3").read_bytes(), declared_type="audio/mpeg", **LIMITS
    )

    assert (flac.container, flac.duration_s, flac.is_silent) == ("flac", 11.0, False)
    assert (mp3.container, mp3.codec) == ("mp3", "mp3")
    assert mp3.duration_s == pytest.approx(4.0, abs=0.05)


def test_decoding_gives_mono_16k_float32_of_the_same_length(webm_opus: bytes) -> None:
    samples = decode_to_float32_16k(webm_opus, "webm")

    assert samples.dtype == np.float32 and samples.ndim == 1
    assert samples.size / 16_000 == pytest.approx(3.0, abs=0.05)


def test_text_is_not_audio() -> None:
    assert rejection(b"This is my answer, typed instead of spoken." * 20, "audio/webm").code == (
        "not_audio"
    )


def test_empty_upload_is_not_audio() -> None:
    assert rejection(b"", "audio/webm").code == "not_audio"


def test_unknown_magic_bytes_are_not_audio(webm_opus: bytes) -> None:
    png = b"\x89PNG\r\n\x1a\n" + webm_opus[8:]

    assert rejection(png, "audio/webm").code == "not_audio"
    assert sniff_container(b"\x00" * 4 + webm_opus[4:]) is None


def test_wav_declared_as_webm_is_a_type_mismatch() -> None:
    assert rejection(wav(tone(1.0)), "audio/webm;codecs=opus").code == "type_mismatch"


def test_webm_declared_with_another_codec_is_a_type_mismatch(webm_opus: bytes) -> None:
    assert rejection(webm_opus, "audio/webm;codecs=vorbis").code == "type_mismatch"


def test_a_generic_declared_type_leaves_the_bytes_to_decide(webm_opus: bytes) -> None:
    info = inspect_audio(webm_opus, declared_type="application/octet-stream", **LIMITS)

    assert info.container == "webm"


def test_silence_is_reported_not_rejected() -> None:
    silent_webm = encode(np.zeros(RATE * 2, dtype=np.float32), container="webm", codec="libopus")
    hiss = (np.random.default_rng(1).normal(0, 0.0005, 32_000)).astype(np.float32)

    assert inspect_audio(silent_webm, declared_type="audio/webm", **LIMITS).is_silent
    assert inspect_audio(wav(hiss), declared_type="audio/wav", **LIMITS).is_silent


def test_recording_over_the_duration_cap_is_too_long(webm_opus: bytes) -> None:
    assert rejection(webm_opus, "audio/webm", max_duration_s=2.0).code == "too_long"


def test_upload_over_the_size_cap_is_too_large(webm_opus: bytes) -> None:
    assert rejection(webm_opus, "audio/webm", max_bytes=len(webm_opus) - 1).code == "too_large"


@pytest.mark.parametrize("kept", [0.3, 0.6, 0.95])
def test_cut_off_webm_is_truncated(webm_opus: bytes, kept: float) -> None:
    cut = webm_opus[: int(len(webm_opus) * kept)]

    assert rejection(cut, "audio/webm;codecs=opus").code == "truncated"


def test_a_127_byte_block_in_a_browser_recording_is_not_a_cut() -> None:
    # All size bits set means "unknown size" only at the length the size was written in:
    # Chromium writes a 127-byte block's size in two bytes, 0x40 0x7F, not as 0xFF.
    data = (FIXTURES / "chromium-opus-32k.webm").read_bytes()
    assert b"\xa3\x40\x7f" in data

    info = inspect_audio(data, declared_type="audio/webm;codecs=opus", **LIMITS)

    assert info.container == "webm" and info.duration_s > 7


@pytest.mark.parametrize("fragmented", [True, False])
def test_cut_off_mp4_is_truncated(fragmented: bool) -> None:
    options = {"movflags": "frag_keyframe+empty_moov"} if fragmented else {}
    data = encode(tone(3.0), container="mp4", codec="aac", **options)

    assert rejection(data[: len(data) * 2 // 3], "audio/mp4").code == "truncated"


def test_cut_off_wav_is_truncated() -> None:
    data = wav(tone(1.0))

    assert rejection(data[: len(data) // 2], "audio/wav").code == "truncated"


def test_audio_that_cannot_be_decoded_is_undecodable() -> None:
    data = bytearray(wav(tone(1.0)))
    data[20:22] = struct.pack("<H", 0x7777)  # a WAVE format tag no decoder knows

    assert rejection(bytes(data), "audio/wav").code == "undecodable"
