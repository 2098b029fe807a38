"""What hotwords and the filler prompt do to transcripts of technical answers.

    .venv/bin/python benchmarks/transcription_quality.py

For each espeak-ng answer in tests/speech.py, prints word error rate against the script and
recall of its key terms (spelled as the hotword) for three runs: a plain faster-whisper pass
(no hotwords, no prompt), the conditioned pass alone (hotwords + filler prompt, no guard),
and the project's Transcriber (conditioned pass with the collapse guard and plain
fallback). Also whether the guard ran a second pass and why. Last line JSON.

WER counts "two hundred" against "200" as errors: the figures compare runs, they are not
an absolute accuracy claim about tiny.en.
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from interviews.engine.audio import decode_to_float32_16k
from interviews.engine.transcriber import FILLER_PROMPT, get_transcriber
from tests.speech import TECHNICAL_ANSWERS, espeak_wav, term_recall, word_error_rate, words_of


def main() -> None:
    transcriber = get_transcriber()
    model = transcriber.load()
    config = transcriber.config
    rows = []

    def raw(audio: object, **conditioning: str) -> str:
        segments, _ = model.transcribe(
            audio,
            language=config.language,
            beam_size=config.beam_size,
            word_timestamps=True,
            vad_filter=config.vad,
            **conditioning,
        )
        return "".join(s.text for s in segments).strip()

    with tempfile.TemporaryDirectory() as tmp:
        for answer in TECHNICAL_ANSWERS:
            path = espeak_wav(answer.script, Path(tmp) / f"{answer.name}.wav")
            audio = decode_to_float32_16k(path.read_bytes(), "wav")
            hotwords = list(answer.key_terms)
            plain = raw(audio)
            conditioned = raw(audio, hotwords=" ".join(hotwords), initial_prompt=FILLER_PROMPT)
            guarded = transcriber.transcribe(audio, hotwords=hotwords)
            row = {"answer": answer.name, "seconds": round(audio.size / 16_000, 1)}
            for name, text in (
                ("plain", plain),
                ("conditioned", conditioned),
                ("pipeline", guarded.text),
            ):
                row[name] = {
                    "wer": round(word_error_rate(answer.script, text), 3),
                    "recall": round(term_recall(answer.key_terms, text), 3),
                    "fillers": sum(w in ("um", "uh") for w in words_of(text)),
                }
            row["script_fillers"] = sum(w in ("um", "uh") for w in words_of(answer.script))
            row["passes"] = len(guarded.passes)
            row["fallback"] = guarded.fallback_reason
            row["texts"] = {"plain": plain, "conditioned": conditioned, "pipeline": guarded.text}
            rows.append(row)

    header = f"{'answer':<11} {'plain WER/recall':>17} {'cond. WER/recall':>17} "
    header += f"{'pipeline WER/recall':>20} {'fillers s/p/c':>13}  passes  fallback"
    print(header)
    for row in rows:
        p, c, g = row["plain"], row["conditioned"], row["pipeline"]
        print(
            f"{row['answer']:<11} {p['wer']:>8.2f}/{p['recall']:<8.2f} "
            f"{c['wer']:>8.2f}/{c['recall']:<8.2f} {g['wer']:>11.2f}/{g['recall']:<8.2f} "
            f"{row['script_fillers']:>5}/{p['fillers']}/{g['fillers']:<5}  {row['passes']:>6}  "
            f"{row['fallback'] or '-'}"
        )
    summary = {
        name: {
            "mean_wer": round(statistics.mean(r[name]["wer"] for r in rows), 3),
            "mean_recall": round(statistics.mean(r[name]["recall"] for r in rows), 3),
        }
        for name in ("plain", "conditioned", "pipeline")
    }
    summary["fallbacks"] = sum(bool(r["fallback"]) for r in rows)
    summary["second_passes"] = sum(r["passes"] > 1 for r in rows)
    for name in ("plain", "conditioned", "pipeline"):
        s = summary[name]
        print(f"mean {name:<12} WER {s['mean_wer']:.3f}  key-term recall {s['mean_recall']:.3f}")
    print(json.dumps({"summary": summary, "answers": rows}))


if __name__ == "__main__":
    main()
