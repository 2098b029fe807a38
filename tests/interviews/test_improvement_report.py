"""The improvement report: dimension-level findings from stored evidence, never per question."""

from __future__ import annotations

from interviews.engine.report import AnswerEvidence, improvement_report


def answer(category: str = "technical", **kw) -> AnswerEvidence:
    values = {"fluency": 70.0, "technical_accuracy": 70.0, "coherence": 70.0, "conciseness": 70.0}
    values.update({k: kw.pop(k) for k in list(kw) if k in values})
    return AnswerEvidence(category=category, answered=kw.pop("answered", True), **values, **kw)


def evidence(
    *, hedges=(), words=120, per_min=1.0, bluf=True, star=None, matched=2, of=3, specificity=0.8
):
    coherence = [{"bottom_line_up_front": bluf}]
    if star is not None:
        coherence.append({"star": star})
    return {
        "overall": {"hedges": list(hedges), "generic": []},
        "fluency": [{"fillers": 1, "per_min": per_min}, {"words_per_min": 140}],
        "technical_accuracy": [
            {"concepts_matched": ["a"] * matched, "of": of},
            {"specificity": specificity, "mechanism": 0.5, "numbers": 1, "names": []},
        ],
        "coherence": coherence,
        "conciseness": [{"duration_s": 80, "target_s": 90, "words": words}],
    }


def texts(report) -> list[str]:
    return [f.text for f in report.findings]


def test_a_clean_interview_has_no_findings_and_names_strengths():
    report = improvement_report(
        [answer(evidence=evidence(), duration_s=80, technical_accuracy=85) for _ in range(8)]
    )
    assert texts(report) == []
    assert [d.band for d in report.dimensions] == ["strong", "solid", "solid", "solid"]
    assert report.strengths == ("Technical accuracy",)


def test_long_answers_hedging_missing_outcomes_and_concepts():
    hedgy = evidence(hedges=["i think", "maybe"], matched=0, of=4)
    story = evidence(star={"situation": True, "task": True, "action": True, "result": False})
    answers = [answer(evidence=hedgy, duration_s=150) for _ in range(4)] + [
        answer("behavioral", evidence=story, duration_s=80) for _ in range(3)
    ]
    found = texts(improvement_report(answers))
    assert "Answers often ran past two minutes." in found
    assert "Hedging phrases were frequent (“I think”, “maybe”)." in found
    assert "Behavioral answers lacked an outcome." in found
    assert "Technical answers missed concepts the questions expected." in found


def test_one_long_answer_is_not_a_pattern():
    answers = [answer(evidence=evidence(), duration_s=150)] + [
        answer(evidence=evidence(), duration_s=80) for _ in range(7)
    ]
    assert "Answers often ran past two minutes." not in texts(improvement_report(answers))


def test_unanswered_questions_are_counted_not_listed():
    answers = [answer(evidence=evidence())] * 6 + [
        AnswerEvidence(category="technical", answered=False) for _ in range(2)
    ]
    report = improvement_report(answers)
    assert texts(report)[0].startswith("2 of 8 questions went unanswered")


def test_the_report_never_carries_a_number_from_a_score():
    answers = [answer(evidence=evidence(hedges=["probably"] * 3), fluency=43.7) for _ in range(5)]
    report = improvement_report(answers)
    rendered = " ".join(
        [*texts(report), *(f.advice for f in report.findings), *(d.band for d in report.dimensions)]
    )
    assert "43" not in rendered and "70" not in rendered
