"""Speech made at test time with espeak-ng, for tests and benchmarks that need a voice.

Synthetic speech is not a person, but it is reproducible, licence-free and says exactly the
script we score against, which is what word error rate and key-term recall need.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from tests.tools import tool_missing

INSTALL_HINT = "sudo apt-get install espeak-ng"


def require_espeak() -> str:
    """The espeak-ng executable; skips the test locally and fails it in CI when missing."""
    executable = shutil.which("espeak-ng")
    if executable is None:
        tool_missing("espeak-ng", INSTALL_HINT)
    return executable


def espeak_wav(text: str, path: str | os.PathLike[str], *, speed: int = 150) -> Path:
    """Speak `text` into a WAV file at `speed` words per minute and return its path."""
    executable = require_espeak()
    path = Path(path)
    subprocess.run(
        [executable, "-w", str(path), "-s", str(speed), text],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return path


@dataclass(frozen=True, slots=True)
class SpokenAnswer:
    name: str
    script: str
    key_terms: tuple[str, ...]


# Short technical answers (about 11–14 s each at 150 wpm) with the resume skills Whisper's
# small models mishear: spoken without hotwords, tiny.en writes "our LA chef" for RLHF.
TECHNICAL_ANSWERS: tuple[SpokenAnswer, ...] = (
    SpokenAnswer(
        "rlhf",
        "Um, so at Acme I fine-tuned a reward model with RLHF in PyTorch. Uh, we collected "
        "preference pairs from annotators, trained the reward model, and then ran PPO on "
        "the policy.",
        ("RLHF", "PyTorch", "PPO"),
    ),
    SpokenAnswer(
        "langchain",
        "I built a retrieval pipeline with LangChain and a vector database. The, uh, the prompt "
        "used few-shot prompting with three examples, and we measured faithfulness on two "
        "hundred questions.",
        ("LangChain", "few-shot", "vector database"),
    ),
    SpokenAnswer(
        "kubernetes",
        "We deployed the inference service on Kubernetes with Docker images, and, um, "
        "autoscaling on GPU nodes. Latency dropped from eight hundred to three hundred "
        "milliseconds.",
        ("Kubernetes", "Docker", "GPU"),
    ),
    SpokenAnswer(
        "evaluation",
        "For evaluation I wrote a rubric for code generation. Each output was graded for "
        "correctness with unit tests, and, uh, we tracked inter-annotator agreement with "
        "Cohen's kappa.",
        ("rubric", "unit tests", "kappa"),
    ),
    SpokenAnswer(
        "finetuning",
        "I fine-tuned Llama with LoRA adapters on Hugging Face, um, using about ten thousand "
        "support tickets, and the F1 score went from sixty to eighty two percent.",
        ("Llama", "LoRA", "Hugging Face"),
    ),
    SpokenAnswer(
        "prompting",
        "So, um, chain-of-thought prompting helps on reasoning tasks, but for classification "
        "I prefer few-shot prompting with JSON output and a temperature of zero.",
        ("chain-of-thought", "few-shot", "JSON"),
    ),
    SpokenAnswer(
        "monitoring",
        "In production we logged every request to BigQuery and, uh, alerted on drift with "
        "Grafana dashboards. When the hallucination rate rose above two percent we rolled back.",
        ("BigQuery", "Grafana", "hallucination"),
    ),
    SpokenAnswer(
        "pipelines",
        "Our training jobs ran on Airflow with MLflow for experiment tracking. Um, I wrote the "
        "data validation in pandas and the feature store lived in Postgres.",
        ("Airflow", "MLflow", "pandas", "Postgres"),
    ),
)


def words_of(text: str) -> list[str]:
    """Lower-case words with punctuation dropped and hyphenated words split."""
    cleaned = "".join(c if c.isalnum() or c == "'" else " " for c in text.lower())
    return cleaned.split()


def word_error_rate(reference: str, hypothesis: str) -> float:
    """Levenshtein distance over words divided by the reference length."""
    ref, hyp = words_of(reference), words_of(hypothesis)
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, start=1):
        current = [i]
        for j, h in enumerate(hyp, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1] / max(len(ref), 1)


def term_recall(terms: tuple[str, ...] | list[str], text: str) -> float:
    """Share of key terms found, spelled as the hotword (case and hyphens ignored)."""
    spoken = " " + " ".join(words_of(text)) + " "
    found = [t for t in terms if " " + " ".join(words_of(t)) + " " in spoken]
    return len(found) / max(len(terms), 1)
