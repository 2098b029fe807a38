"""The staff command lines of the engine: grade_answers and simulate_interview."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

SAMPLES = Path(__file__).resolve().parent.parent / "fixtures" / "samples" / "answers.jsonl"


def grade(path: Path) -> dict[str, dict]:
    out = StringIO()
    call_command("grade_answers", str(path), stdout=out)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    return {row["id"]: row for row in rows}


@pytest.mark.django_db
def test_grade_answers_prints_every_field_and_strong_beats_weak():
    rows = grade(SAMPLES)
    assert set(rows) == {json.loads(line)["id"] for line in SAMPLES.read_text().splitlines()}
    for row in rows.values():
        assert set(row["scores"]) == {
            "fluency",
            "technical_accuracy",
            "coherence",
            "conciseness",
            "overall",
        }
        assert all(0 <= v <= 100 for v in row["scores"].values())
        assert row["evidence"] and row["rubric_version"]
    assert rows["s01-strong"]["scores"]["overall"] > rows["s01-weak"]["scores"]["overall"]
    assert rows["s02-strong"]["scores"]["overall"] > rows["s02-weak"]["scores"]["overall"]
    assert rows["s03-unanswered"]["scores"]["overall"] == 0


@pytest.mark.django_db
def test_grade_answers_ignores_extra_keys_and_is_deterministic(tmp_path):
    line = {
        "id": "x",
        "domain": "machine_learning",
        "category": "technical",
        "question": "What is overfitting?",
        "transcript": "Overfitting is when a model memorises training noise, so validation "
        "loss rises while training loss keeps falling; I use early stopping and dropout.",
        "duration_s": 20,
        "label": "strong",
        "anything": [1, 2],
    }
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(line) + "\n")
    assert grade(path) == grade(path)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "content, message",
    [
        ("{not json}\n", "not JSON"),
        ('{"id": 1, "category": "poetry", "question": "q", "transcript": "t"}\n', "category"),
        ('{"id": 1, "category": "technical", "transcript": "t"}\n', "question"),
        (
            '{"id": 1, "category": "technical", "question": "q", "audio": "missing.wav"}\n',
            "not found",
        ),
    ],
)
def test_grade_answers_refuses_bad_lines(tmp_path, content, message):
    path = tmp_path / "bad.jsonl"
    path.write_text(content)
    with pytest.raises(CommandError, match=message):
        call_command("grade_answers", str(path), stdout=StringIO())


@pytest.mark.django_db
@pytest.mark.parametrize(
    "profile, tiers",
    [("strong", {"expert", "verified_expert"}), ("weak", {"declined", "qualified"})],
)
def test_simulate_interview_adapts_to_the_profile(tmp_path, profile, tiers):
    from tests.interviews import resume_pdfs

    pdf = tmp_path / "cv.pdf"
    pdf.write_bytes(resume_pdfs.one_column())
    out = StringIO()
    call_command(
        "simulate_interview",
        "--domain",
        "ai_evaluation",
        "--resume",
        str(pdf),
        "--profile",
        profile,
        "--json",
        stdout=out,
    )
    result = json.loads(out.getvalue())
    assert result["tier"] in tiers
    assert 8 <= len(result["questions"]) <= 12
    difficulties = [q["difficulty"] for q in result["questions"] if q["category"] == "technical"]
    if profile == "strong":
        assert max(difficulties) >= 4
    else:
        assert max(difficulties) <= 2
    text = StringIO()
    call_command(
        "simulate_interview",
        "--domain",
        "ai_evaluation",
        "--resume",
        str(pdf),
        "--profile",
        profile,
        stdout=text,
    )
    assert "why asked:" in text.getvalue() and "Tier:" in text.getvalue()


def test_simulate_interview_refuses_a_bad_resume(tmp_path):
    bad = tmp_path / "cv.pdf"
    bad.write_bytes(b"not a pdf")
    with pytest.raises(CommandError, match="not a PDF"):
        call_command(
            "simulate_interview",
            "--domain",
            "ai_evaluation",
            "--resume",
            str(bad),
            "--profile",
            "strong",
            stdout=StringIO(),
        )
