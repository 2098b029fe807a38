"""Transcription of answers with the bundled tiny.en: hotwords, fillers, and collapse guards."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest

from interviews.engine.audio import decode_to_float32_16k
from interviews.engine.transcriber import (
    FILLER_PROMPT,
    Transcriber,
    TranscriberConfig,
    Word,
    assess,
    get_transcriber,
)
from tests.speech import TECHNICAL_ANSWERS, espeak_wav, term_recall, word_error_rate, words_of

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "audio"
SPEECH = {answer.name: answer for answer in TECHNICAL_ANSWERS}


@pytest.fixture(scope="module")
def transcriber() -> Transcriber:
    return get_transcriber()


def normalized(text: str) -> str:
    return " ".join(words_of(text))


def test_real_speech_is_transcribed(transcriber: Transcriber) -> None:
    transcript = transcriber.transcribe(FIXTURES / "jfk.flac")

    assert "ask not what your country can do for you" in normalized(transcript.text)
    assert transcript.duration_s == pytest.approx(11.0)
    assert transcript.language == "en"
    assert transcript.fallback_reason is None
    assert len(transcript.passes) == 1
    starts = [w.start for w in transcript.words]
    assert starts == sorted(starts)
    assert all(0 <= w.start <= w.end <= 11.0 for w in transcript.words)


def test_hotwords_fix_a_name_the_model_mishears(transcriber: Transcriber) -> None:
    audio = FIXTURES / "hotwords.mp3"

    plain = transcriber.transcribe(audio, keep_disfluencies=False)
    hinted = transcriber.transcribe(audio, hotwords=["ComfyUI"])

    assert "comfy eye" in normalized(plain.text)
    assert "ComfyUI" not in plain.text
    assert "ComfyUI" in hinted.text
    assert hinted.used_hotwords and not plain.used_hotwords


def test_same_samples_from_the_upload_decoder_give_the_same_text(transcriber: Transcriber) -> None:
    data = (FIXTURES / "hotwords.mp3").read_bytes()

    from_path = transcriber.transcribe(FIXTURES / "hotwords.mp3", hotwords=["ComfyUI"])
    from_samples = transcriber.transcribe(decode_to_float32_16k(data, "mp3"), hotwords=["ComfyUI"])

    assert from_samples.text == from_path.text


@pytest.mark.speech
def test_rlhf_is_heard_only_with_hotwords(transcriber: Transcriber, tmp_path: Path) -> None:
    answer = SPEECH["rlhf"]
    audio = espeak_wav(answer.script, tmp_path / "rlhf.wav")

    plain = transcriber.transcribe(audio, keep_disfluencies=False)
    hinted = transcriber.transcribe(audio, hotwords=list(answer.key_terms))

    assert "RLHF" not in plain.text
    assert "RLHF" in hinted.text
    assert term_recall(answer.key_terms, hinted.text) > term_recall(answer.key_terms, plain.text)


@pytest.mark.speech
@pytest.mark.parametrize("name", ["rlhf", "langchain", "kubernetes", "prompting"])
def test_technical_answers_keep_terms_and_fillers_without_collapse(
    transcriber: Transcriber, tmp_path: Path, name: str
) -> None:
    answer = SPEECH[name]
    audio = espeak_wav(answer.script, tmp_path / f"{name}.wav")

    transcript = transcriber.transcribe(audio, hotwords=list(answer.key_terms))

    assert term_recall(answer.key_terms, transcript.text) >= 2 / 3, transcript.text
    # tiny.en on synthetic speech: most errors are homophones and numbers written as digits.
    assert word_error_rate(answer.script, transcript.text) <= 0.35, transcript.text
    _, collapsed, _ = assess(transcript.text, transcript.words, transcript.speech_s)
    assert not collapsed, transcript.text
    assert transcript.elapsed_s < transcript.duration_s / 2
    if any(filler in words_of(answer.script) for filler in ("um", "uh")):
        assert {"um", "uh"} & set(words_of(transcript.text)), transcript.text


@pytest.mark.speech
def test_word_times_are_on_the_recording_clock_across_a_long_pause(
    transcriber: Transcriber, tmp_path: Path
) -> None:
    first = espeak_wav("I used PyTorch.", tmp_path / "first.wav")
    second = espeak_wav("Then I moved to JAX.", tmp_path / "second.wav")
    pause = np.zeros(16_000 * 5, dtype=np.float32)
    head = decode_to_float32_16k(first.read_bytes(), "wav")
    tail = decode_to_float32_16k(second.read_bytes(), "wav")

    transcript = transcriber.transcribe(np.concatenate([head, pause, tail]), hotwords=["PyTorch"])

    later = [w for w in transcript.words if "mov" in w.word.lower()]
    assert later, transcript.text
    # The VAD cuts the pause out; times must still count it.
    assert later[0].start > head.size / 16_000 + 4


def test_silence_gives_an_empty_transcript(transcriber: Transcriber) -> None:
    transcript = transcriber.transcribe(np.zeros(16_000 * 3, dtype=np.float32), hotwords=["RLHF"])

    assert transcript.text == "" and transcript.words == [] and transcript.passes == []
    assert transcript.speech_s == 0.0


def test_one_transcriber_per_process_and_config(transcriber: Transcriber) -> None:
    assert get_transcriber() is transcriber
    assert get_transcriber(TranscriberConfig()) is transcriber
    assert transcriber.load() is transcriber.load()
    assert transcriber.config.cpu_threads >= 1


# --- The fallback, driven by a stand-in model so each branch is deterministic --------------


def segment(text: str, start: float, end: float) -> SimpleNamespace:
    tokens = text.split()
    step = (end - start) / max(len(tokens), 1)
    words = [
        SimpleNamespace(
            word=" " + t, start=start + i * step, end=start + (i + 1) * step, probability=0.9
        )
        for i, t in enumerate(tokens)
    ]
    return SimpleNamespace(text=" " + text, start=start, end=end, words=words, temperature=0.0)


class StandInModel:
    # One token per word is enough for the transcriber's token budget.
    hf_tokenizer = SimpleNamespace(encode=lambda text: SimpleNamespace(ids=text.split()))

    def __init__(self, conditioned: list[SimpleNamespace], plain: list[SimpleNamespace]) -> None:
        self.outputs = {"conditioned": conditioned, "plain": plain}
        self.calls: list[dict[str, Any]] = []

    def transcribe(self, audio: np.ndarray, **options: Any) -> tuple[Any, None]:
        self.calls.append(options)
        kind = "conditioned" if options["hotwords"] or options["initial_prompt"] else "plain"
        # faster-whisper hands back a lazy generator, which the transcriber may close early.
        return (s for s in self.outputs[kind]), None


ANSWER = (
    "We trained the reward model on preference pairs and then ran PPO on the policy with a "
    "KL penalty to keep it close to the reference model"
)


def stand_in(conditioned: list[SimpleNamespace], plain: list[SimpleNamespace]) -> Transcriber:
    transcriber = Transcriber(TranscriberConfig(vad=False))
    transcriber._model = StandInModel(conditioned, plain)
    return transcriber


def ten_seconds() -> np.ndarray:
    return np.zeros(16_000 * 10, dtype=np.float32)


def test_a_clean_conditioned_pass_is_the_only_pass() -> None:
    transcriber = stand_in([segment(ANSWER, 0, 9.5)], [segment("unused", 0, 1)])

    transcript = transcriber.transcribe(ten_seconds(), hotwords=["PPO"])

    assert transcript.text == ANSWER and transcript.fallback_reason is None
    assert [p["name"] for p in transcript.passes] == ["conditioned"]
    call = transcriber._model.calls[0]
    assert call["hotwords"] == "PPO" and call["initial_prompt"] == FILLER_PROMPT
    assert call["word_timestamps"] is True
    # No sampling fallback for the conditioned pass (the guard is the fallback), and a bound
    # on tokens so a loop can't run to the context limit.
    assert call["temperature"] == (0.0,)
    assert 32 < call["max_new_tokens"] < 448 - 10


def test_a_looping_conditioned_pass_falls_back_to_plain() -> None:
    loop = "PPO on the policy " * 12
    transcriber = stand_in([segment(loop.strip(), 0, 9.5)], [segment(ANSWER, 0, 9.5)])

    transcript = transcriber.transcribe(ten_seconds(), hotwords=["PPO"])

    assert transcript.text == ANSWER
    assert transcript.fallback_reason and "loop" in transcript.fallback_reason
    assert not transcript.used_hotwords
    assert [p["name"] for p in transcript.passes] == ["conditioned", "plain"]
    assert transcript.passes[0]["compression_ratio"] > 2.4


def test_a_conditioned_pass_that_drops_the_answer_falls_back_to_plain() -> None:
    transcriber = stand_in([segment("We trained PPO.", 0, 1.2)], [segment(ANSWER, 0, 9.5)])

    transcript = transcriber.transcribe(ten_seconds(), hotwords=["PPO"])

    assert transcript.text == ANSWER
    assert "dropped content" in (transcript.fallback_reason or "")


def test_a_doubtful_pass_is_kept_when_plain_is_no_better() -> None:
    # Slow speech with a long pause is doubtful, and the plain pass finds nothing more.
    sparse = [segment("We trained the reward model", 0, 2.5), segment("with PPO", 7.0, 9.5)]
    transcriber = stand_in(sparse, [segment("We trained the reward model with PPL", 0, 9.5)])

    transcript = transcriber.transcribe(ten_seconds(), hotwords=["PPO"])

    assert [p["name"] for p in transcript.passes] == ["conditioned", "plain"]
    assert transcript.passes[0]["doubts"]
    assert transcript.fallback_reason is None and transcript.used_hotwords
    assert "PPO" in transcript.text


def test_without_hotwords_or_prompt_there_is_one_plain_pass() -> None:
    transcriber = stand_in([segment("unused", 0, 1)], [segment(ANSWER, 0, 9.5)])

    transcript = transcriber.transcribe(ten_seconds(), keep_disfluencies=False)

    assert transcript.text == ANSWER
    assert [p["name"] for p in transcript.passes] == ["plain"]


def test_assess_flags_loops_and_rates() -> None:
    words = [Word("w", i * 0.4, i * 0.4 + 0.3, 0.9) for i in range(20)]

    _, collapsed, _ = assess("uh, " * 8 + "so", words, 10.0)
    assert any("repeated" in reason for reason in collapsed)
    _, collapsed, _ = assess(" ".join(["word"] * 3), words[:3], 10.0)
    assert any("dropped content" in reason for reason in collapsed)
    _, collapsed, doubts = assess(ANSWER, words, 10.0)
    assert not collapsed and not doubts


def test_missing_espeak_skips_locally_and_fails_in_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    from tests import speech

    monkeypatch.setattr(speech.shutil, "which", lambda name: None)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install espeak-ng"):
        speech.require_espeak()
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required in CI"):
        speech.require_espeak()


def test_a_stock_sentence_with_no_audio_under_it_is_dropped() -> None:
    # Seen on a real tail: "...300 milliseconds. Ladies and Gentlemen, thank you very much for
    # joining us today", every word of the addition aligned to the last instant.
    stock = segment("Ladies and gentlemen, thank you for joining us today.", 9.9, 9.9)
    transcriber = stand_in([segment(ANSWER, 0, 9.5), stock], [segment("unused", 0, 1)])

    transcript = transcriber.transcribe(ten_seconds(), hotwords=["PPO"])

    assert transcript.text == ANSWER
    assert not any("Ladies" in w.word for w in transcript.words)
    assert transcript.passes[0]["dropped_without_audio"].startswith("Ladies and gentlemen")
    assert [p["name"] for p in transcript.passes] == ["conditioned"]
