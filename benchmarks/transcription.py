"""Transcription speed (PRODUCT.md §8): RTF ≤ 0.1, and the pipeline within 10 % of faster-whisper.

    .venv/bin/python benchmarks/transcription.py [--repeat 3] [--seconds 90]

Builds ~90 s of spoken technical answers with espeak-ng, uploads it as WebM/Opus like a
browser would, and times in the same process, alternating so drift hits both alike:
(a) a direct `WhisperModel.transcribe` call, fully consumed, with the same model, compute
type, threads, word timestamps and VAD; (b) the project's pipeline: `inspect_audio`,
`decode_to_float32_16k` and `Transcriber.transcribe` with the answers' key terms as hotwords.
The last line is JSON.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from interviews.engine.audio import decode_to_float32_16k, inspect_audio
from interviews.engine.transcriber import get_transcriber
from tests.speech import TECHNICAL_ANSWERS, espeak_wav

RATE = 16_000


def spoken_answers(seconds: float, workdir: Path) -> tuple[np.ndarray, list[str]]:
    """espeak-ng answers joined by short pauses until `seconds` of audio, and their terms."""
    pause = np.zeros(int(0.8 * RATE), dtype=np.float32)
    pieces: list[np.ndarray] = []
    terms: list[str] = []
    total = 0
    index = 0
    while total < seconds * RATE:
        answer = TECHNICAL_ANSWERS[index % len(TECHNICAL_ANSWERS)]
        path = espeak_wav(answer.script, workdir / f"{index}.wav")
        samples = decode_to_float32_16k(path.read_bytes(), "wav")
        pieces += [samples, pause]
        total += samples.size + pause.size
        terms += [t for t in answer.key_terms if t not in terms]
        index += 1
    return np.concatenate(pieces)[: int(seconds * RATE)], terms


def webm_opus(samples: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    with av.open(buffer, "w", format="webm") as output:
        stream = output.add_stream("libopus", rate=48_000)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=90.0)
    args = parser.parse_args()

    transcriber = get_transcriber()
    model = transcriber.load()
    config = transcriber.config
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        samples, hotwords = spoken_answers(args.seconds, workdir)
        upload = webm_opus(samples)
        upload_path = workdir / "answer.webm"
        upload_path.write_bytes(upload)

        def direct() -> tuple[float, str]:
            started = time.perf_counter()
            segments, _ = model.transcribe(
                str(upload_path),
                language=config.language,
                beam_size=config.beam_size,
                word_timestamps=True,
                vad_filter=config.vad,
            )
            text = "".join(s.text for s in segments)
            return time.perf_counter() - started, text

        def pipeline() -> tuple[float, str, str | None, int]:
            started = time.perf_counter()
            info = inspect_audio(
                upload_path.read_bytes(),
                declared_type="audio/webm;codecs=opus",
                max_bytes=50_000_000,
                max_duration_s=180,
            )
            audio = decode_to_float32_16k(upload_path.read_bytes(), info.container)
            transcript = transcriber.transcribe(audio, hotwords=hotwords)
            elapsed = time.perf_counter() - started
            return elapsed, transcript.text, transcript.fallback_reason, len(transcript.passes)

        direct()  # warm-up: first calls pay for allocations and the VAD session
        pipeline()
        direct_times: list[float] = []
        pipeline_times: list[float] = []
        fallbacks: list[str | None] = []
        for _ in range(args.repeat):
            direct_times.append(direct()[0])
            elapsed, text, reason, passes = pipeline()
            pipeline_times.append(elapsed)
            fallbacks.append(reason)

    duration = samples.size / RATE
    direct_s = statistics.median(direct_times)
    pipeline_s = statistics.median(pipeline_times)
    result = {
        "audio_s": round(duration, 1),
        "model": config.model_path or "bundled tiny.en",
        "compute_type": config.compute_type,
        "cpu_threads": config.cpu_threads,
        "cpu_count": os.cpu_count(),
        "beam_size": config.beam_size,
        "hotwords": len(hotwords),
        "direct_s": [round(t, 3) for t in direct_times],
        "pipeline_s": [round(t, 3) for t in pipeline_times],
        "rtf_direct": round(direct_s / duration, 4),
        "rtf_pipeline": round(pipeline_s / duration, 4),
        "ratio_pipeline_direct": round(pipeline_s / direct_s, 3),
        "passes_last_run": passes,
        "fallbacks": fallbacks,
    }
    result["rtf_ok"] = result["rtf_pipeline"] <= 0.1
    result["ratio_ok"] = result["ratio_pipeline_direct"] <= 1.10
    print(f"audio: {duration:.1f} s of espeak-ng answers as WebM/Opus, {len(hotwords)} hotwords")
    print(f"direct faster-whisper: median {direct_s:.2f} s, RTF {result['rtf_direct']:.3f}")
    print(f"project pipeline:      median {pipeline_s:.2f} s, RTF {result['rtf_pipeline']:.3f}")
    print(f"ratio pipeline/direct: {result['ratio_pipeline_direct']:.3f} (target ≤ 1.10)")
    print(f"pipeline text: {text[:160]}…")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
