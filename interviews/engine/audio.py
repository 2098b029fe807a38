"""Validation and decoding of an uploaded answer recording.

The browser uploads what MediaRecorder produced (WebM/Opus in Chromium and Firefox,
MP4/AAC in Safari). Before a recording is accepted we check what it really is from its
bytes, open it with that explicit demuxer (sniffing would let a file claim to be anything
FFmpeg can parse), and decode every frame: a container header's duration is written by the
client and MediaRecorder's WebM has none at all, so only decoding tells the truth.

Silence is not an error here: an unanswered question is a normal outcome the caller records.
"""

from __future__ import annotations

import hashlib
import io
import struct
from dataclasses import dataclass

import av
import av.error
import numpy as np

TARGET_RATE = 16_000

# The candidate reads these sentences, so they say what happened and what to do next.
MESSAGES: dict[str, str] = {
    "not_audio": "The uploaded file is not an audio recording; please record your answer again.",
    "type_mismatch": (
        "The recording's format does not match what your browser reported; "
        "please record your answer again."
    ),
    "too_large": "The recording is larger than allowed; please give a shorter answer.",
    "too_long": "The recording is longer than the time allowed for one answer.",
    "truncated": (
        "The recording was cut off before it finished uploading; please record your answer again."
    ),
    "undecodable": "The recording could not be played back; please record your answer again.",
}


class AudioRejected(Exception):  # noqa: N818 - a rejection is an outcome, not a fault
    """An upload that cannot be used as an answer; `code` is stable, `message` is for people."""

    def __init__(self, code: str, message: str | None = None) -> None:
        self.code = code
        self.message = message or MESSAGES[code]
        super().__init__(f"{code}: {self.message}")


@dataclass(frozen=True, slots=True)
class AudioInfo:
    container: str
    codec: str
    duration_s: float
    sample_rate: int
    is_silent: bool
    bytes: int
    peak_dbfs: float
    active_s: float


# Container name → FFmpeg demuxer name, always passed explicitly to av.open.
DEMUXERS: dict[str, str] = {
    "webm": "webm",
    "matroska": "matroska",
    "mp4": "mp4",
    "ogg": "ogg",
    "wav": "wav",
    "flac": "flac",
    "mp3": "mp3",
}

# MIME essence → containers whose bytes may carry it. MediaRecorder in Chromium reports
# video/webm for audio-only recordings in some versions, so the video types are accepted.
MIME_CONTAINERS: dict[str, frozenset[str]] = {
    "audio/webm": frozenset({"webm", "matroska"}),
    "video/webm": frozenset({"webm", "matroska"}),
    "audio/x-matroska": frozenset({"webm", "matroska"}),
    "video/x-matroska": frozenset({"webm", "matroska"}),
    "audio/mp4": frozenset({"mp4"}),
    "video/mp4": frozenset({"mp4"}),
    "audio/x-m4a": frozenset({"mp4"}),
    "audio/m4a": frozenset({"mp4"}),
    "audio/ogg": frozenset({"ogg"}),
    "application/ogg": frozenset({"ogg"}),
    "audio/opus": frozenset({"ogg"}),
    "audio/wav": frozenset({"wav"}),
    "audio/wave": frozenset({"wav"}),
    "audio/x-wav": frozenset({"wav"}),
    "audio/vnd.wave": frozenset({"wav"}),
    "audio/flac": frozenset({"flac"}),
    "audio/x-flac": frozenset({"flac"}),
    "audio/mpeg": frozenset({"mp3"}),
    "audio/mp3": frozenset({"mp3"}),
}

# A missing or generic type says nothing, so the bytes alone decide.
UNDECLARED_TYPES = frozenset({"", "application/octet-stream"})

# RFC 6381 codec names in a MIME `codecs=` parameter → FFmpeg decoder names.
MIME_CODECS: dict[str, str] = {
    "opus": "opus",
    "vorbis": "vorbis",
    "mp4a": "aac",
    "aac": "aac",
    "flac": "flac",
    "mp3": "mp3",
}

# FFmpeg decoder names → the codec they decode, as MIME types name it.
CODEC_FAMILIES: dict[str, str] = {"mp3float": "mp3", "aac_fixed": "aac", "libopus": "opus"}

# Below these levels a recording is treated as silence: a muted or unplugged microphone
# typically peaks under -50 dBFS, while quiet speech still has frames above -45 dBFS.
SILENCE_PEAK_DBFS = -40.0
ACTIVE_FRAME_DBFS = -45.0
MIN_ACTIVE_S = 0.3
_FRAME = 320  # 20 ms at 16 kHz


def sniff_container(data: bytes) -> str | None:
    """The container named by the file's magic bytes, or None."""
    if data[:4] == b"\x1a\x45\xdf\xa3":
        # The EBML header names its DocType near the start; MediaRecorder writes "webm".
        return "webm" if b"\x42\x82\x84webm" in data[:64] else "matroska"
    if data[4:8] == b"ftyp":
        return "mp4"
    if data[:4] == b"OggS":
        return "ogg"
    if data[:4] == b"RIFF" and data[8:12] == b"WAVE":
        return "wav"
    if data[:4] == b"fLaC":
        return "flac"
    if data[:3] == b"ID3":
        return "mp3"
    # MPEG audio frame sync; a zero layer field is ADTS AAC, which we don't accept bare.
    if len(data) >= 2 and data[0] == 0xFF and data[1] & 0xE0 == 0xE0 and data[1] & 0x06:
        return "mp3"
    return None


def parse_mime(declared_type: str) -> tuple[str, list[str]]:
    """`audio/webm;codecs="opus"` → ("audio/webm", ["opus"])."""
    essence, _, params = declared_type.partition(";")
    codecs: list[str] = []
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "codecs":
            codecs = [c.strip().lower() for c in value.strip().strip("\"'").split(",") if c.strip()]
    return essence.strip().lower(), codecs


def inspect_audio(
    data: bytes, *, declared_type: str, max_bytes: int, max_duration_s: float
) -> AudioInfo:
    """Check an upload and describe it, or raise AudioRejected with a stable code."""
    if len(data) > max_bytes:
        raise AudioRejected("too_large")
    container = sniff_container(data)
    if container is None:
        raise AudioRejected("not_audio")
    essence, declared_codecs = parse_mime(declared_type)
    if essence not in UNDECLARED_TYPES and container not in MIME_CONTAINERS.get(essence, ()):
        raise AudioRejected("type_mismatch")
    if _is_truncated(data, container):
        raise AudioRejected("truncated")

    decoded = _decode(data, container, max_duration_s=max_duration_s)
    expected = {
        MIME_CODECS[c.split(".")[0]] for c in declared_codecs if c.split(".")[0] in MIME_CODECS
    }
    if expected and decoded.codec not in expected:
        raise AudioRejected("type_mismatch")

    peak_dbfs, active_s = _loudness(decoded.samples)
    return AudioInfo(
        container=container,
        codec=decoded.codec,
        duration_s=decoded.duration_s,
        sample_rate=decoded.sample_rate,
        is_silent=peak_dbfs < SILENCE_PEAK_DBFS or active_s < MIN_ACTIVE_S,
        bytes=len(data),
        peak_dbfs=peak_dbfs,
        active_s=active_s,
    )


def decode_to_float32_16k(data: bytes, container: str) -> np.ndarray:
    """Mono 16 kHz float32 samples (read-only), decoded exactly as inspect_audio decodes them."""
    cached = _last_decoded
    if cached is not None and cached[0] == _digest(data, container):
        return cached[1].samples
    return _decode(data, container, max_duration_s=None).samples


def decode_prefix_to_float32_16k(data: bytes, container: str) -> np.ndarray:
    """Decode the start of a recording still being written (MediaRecorder's parts so far).

    The bytes usually end inside a frame or a cluster: what decodes before that is kept
    instead of refusing the whole as truncated. Raises AudioRejected when nothing decodes.
    """
    return _decode(data, container, max_duration_s=None, partial=True).samples


# The worker validates an upload and then transcribes it; keeping the last decode saves the
# second pass over the same bytes (about 0.2 s for 90 s of Opus on one core).
_last_decoded: tuple[bytes, _Decoded] | None = None


def _digest(data: bytes, container: str) -> bytes:
    return hashlib.blake2b(data, digest_size=16, person=container.encode()[:16]).digest()


@dataclass(frozen=True, slots=True)
class _Decoded:
    samples: np.ndarray
    codec: str
    duration_s: float
    sample_rate: int


def _decode(
    data: bytes, container: str, *, max_duration_s: float | None, partial: bool = False
) -> _Decoded:
    try:
        source = av.open(io.BytesIO(data), mode="r", format=DEMUXERS[container])
    except (av.error.FFmpegError, UnicodeDecodeError) as exc:
        raise AudioRejected("undecodable") from exc
    chunks: list[np.ndarray] = []
    source_samples = 0
    sample_rate = 0
    codec = ""
    try:
        with source:
            if not source.streams.audio:
                raise AudioRejected("not_audio")
            stream = source.streams.audio[0]
            if stream.codec_context is None:  # FFmpeg has no decoder for this codec
                raise AudioRejected("undecodable")
            codec = CODEC_FAMILIES.get(stream.codec_context.name, stream.codec_context.name)
            resampler = av.AudioResampler(format="flt", layout="mono", rate=TARGET_RATE)
            # Opus (every browser's WebM and Ogg) decodes to 48 kHz float: averaging the
            # channels and decimating by 3 in numpy is about twice as fast as FFmpeg's
            # resampler called per 20 ms frame.
            native: list[np.ndarray] | None = None
            try:
                for frame in source.decode(stream):
                    sample_rate = frame.sample_rate
                    source_samples += frame.samples
                    if max_duration_s is not None and source_samples / sample_rate > max_duration_s:
                        raise AudioRejected("too_long")
                    if native is None and not chunks and _decimates(frame):
                        native = []
                    if native is not None and _decimates(frame):
                        planes = frame.to_ndarray()
                        native.append(planes[0] if len(planes) == 1 else planes.mean(axis=0))
                    else:
                        if native:  # the format changed mid-stream: finish on the slow path
                            chunks.append(_decimate3(np.concatenate(native)))
                        native = None
                        chunks.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(frame))
                if native:
                    chunks.append(_decimate3(np.concatenate(native)))
                chunks.extend(f.to_ndarray().reshape(-1) for f in resampler.resample(None))
            except av.error.FFmpegError as exc:
                # A decoder error after good frames means the stream stops mid-way.
                if not (partial and source_samples):
                    raise AudioRejected("truncated" if source_samples else "undecodable") from exc
    except av.error.FFmpegError as exc:
        raise AudioRejected("undecodable") from exc
    if not source_samples:
        raise AudioRejected("undecodable")
    samples = (
        np.concatenate(chunks).astype(np.float32, copy=False) if chunks else np.zeros(0, np.float32)
    )
    samples.setflags(write=False)  # shared through the cache below
    decoded = _Decoded(
        samples=samples,
        codec=codec,
        duration_s=source_samples / sample_rate,
        sample_rate=sample_rate,
    )
    if not partial:  # a prefix decode must not answer later for a whole file's
        global _last_decoded
        _last_decoded = (_digest(data, container), decoded)
    return decoded


def _decimates(frame: av.AudioFrame) -> bool:
    """Whether a frame can take the numpy path: planar float at three times our rate."""
    return frame.sample_rate == 3 * TARGET_RATE and frame.format.name == "fltp"


def _lowpass_taps(count: int = 66, cutoff_hz: float = 7_600.0, rate: int = 48_000) -> np.ndarray:
    """A Kaiser-windowed sinc low-pass for 48 → 16 kHz, unity gain at DC."""
    n = np.arange(count) - (count - 1) / 2
    fc = cutoff_hz / rate
    taps = 2 * fc * np.sinc(2 * fc * n) * np.kaiser(count, 8.0)
    return (taps / taps.sum()).astype(np.float32)


_TAPS = _lowpass_taps()


def _decimate3(samples: np.ndarray) -> np.ndarray:
    """Low-pass and keep every third sample (48 → 16 kHz), computing only the kept outputs:
    y[m] = Σ_k h[k]·x[3m + k], as one product over a strided view of windows (no copies)."""
    count = len(_TAPS)
    out_len = -(-samples.size // 3)
    padded = np.zeros(3 * out_len + count, dtype=np.float32)
    start = count // 2
    padded[start : start + samples.size] = samples
    windows = np.lib.stride_tricks.sliding_window_view(padded, count)[: 3 * out_len : 3]
    return np.einsum("ij,j->i", windows, _TAPS)


def _loudness(samples: np.ndarray) -> tuple[float, float]:
    """Peak level in dBFS and seconds of 20 ms frames loud enough to be a voice."""
    if samples.size == 0:
        return -120.0, 0.0
    peak = float(np.max(np.abs(samples)))
    usable = samples[: samples.size - samples.size % _FRAME].reshape(-1, _FRAME)
    rms = np.sqrt(np.mean(np.square(usable, dtype=np.float64), axis=1))
    active = int(np.count_nonzero(rms > 10 ** (ACTIVE_FRAME_DBFS / 20)))
    return float(20 * np.log10(max(peak, 1e-6))), active * _FRAME / TARGET_RATE


# --- Truncation -------------------------------------------------------------------------
# FFmpeg's WebM and MP4 demuxers stop quietly at a cut-off file and hand over the frames
# before the cut, so a short decode looks like a short answer. The containers' own element
# sizes say whether the last element was complete.


def _is_truncated(data: bytes, container: str) -> bool:
    try:
        if container in ("webm", "matroska"):
            return _ebml_truncated(data)
        if container == "mp4":
            return _boxes_truncated(data)
        if container == "ogg":
            return _ogg_truncated(data)
        if container == "wav":
            return _riff_truncated(data)
    except (IndexError, struct.error):
        return True
    return False


def _ebml_unknown_size(size: int, size_len: int) -> bool:
    """All size bits set means "unknown", for the length the size was written in: 127 in two
    bytes (0x40 0x7F) is a plain 127-byte element, which Opus at 32 kb/s often makes."""
    return size == (1 << (7 * size_len)) - 1


# Master elements we descend into: Segment and Cluster (MediaRecorder streams both with
# unknown size, so their children are the only sizes we can check).
_EBML_DESCEND = {0x18538067, 0x1F43B675}


def _ebml_vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int]:
    first = data[pos]
    if first == 0:
        raise IndexError("invalid EBML length")
    length = 9 - first.bit_length()
    value = first if keep_marker else first & (0xFF >> length)
    for byte in data[pos + 1 : pos + length]:
        value = (value << 8) | byte
    if pos + length > len(data):
        raise IndexError("cut inside an EBML header")
    return value, length


def _ebml_truncated(data: bytes) -> bool:
    pos, end = 0, len(data)
    while pos < end:
        element_id, id_len = _ebml_vint(data, pos, keep_marker=True)
        size, size_len = _ebml_vint(data, pos + id_len, keep_marker=False)
        body = pos + id_len + size_len
        if element_id in _EBML_DESCEND:
            if not _ebml_unknown_size(size, size_len) and body + size > end:
                return True
            pos = body
            continue
        if _ebml_unknown_size(size, size_len) or body + size > end:
            return True
        pos = body + size
    return False


def _boxes_truncated(data: bytes) -> bool:
    pos, end = 0, len(data)
    while pos < end:
        if pos + 8 > end:
            return True
        size = struct.unpack_from(">I", data, pos)[0]
        if size == 1:
            size = struct.unpack_from(">Q", data, pos + 8)[0]
        elif size == 0:
            return False  # the last box runs to the end of the file by definition
        if size < 8 or pos + size > end:
            return True
        pos += size
    return False


def _ogg_truncated(data: bytes) -> bool:
    pos, end = 0, len(data)
    while pos < end:
        if data[pos : pos + 4] != b"OggS" or pos + 27 > end:
            return True
        segments = data[pos + 26]
        table_end = pos + 27 + segments
        if table_end > end:
            return True
        pos = table_end + sum(data[pos + 27 : table_end])
    return pos != end


def _riff_truncated(data: bytes) -> bool:
    pos, end = 12, len(data)
    while pos + 8 <= end:
        chunk_id = data[pos : pos + 4]
        size = struct.unpack_from("<I", data, pos + 4)[0]
        if chunk_id == b"data":
            # Streaming writers put 0 or 0xFFFFFFFF here when they could not seek back.
            return size not in (0, 0xFFFFFFFF) and pos + 8 + size > end
        pos += 8 + size + (size & 1)
    return True
