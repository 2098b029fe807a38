"""What the resume parser reads out of typical layouts, and out of plain text."""

from __future__ import annotations

import io
import json

import pdfplumber
import pytest
from django.core.management import CommandError, call_command

from interviews.engine.resume import (
    PARSER_VERSION,
    ParsedResume,
    Role,
    _parse_in_process,
    analyse_text,
    parse_resume_bytes,
    parse_resume_path,
)
from interviews.engine.taxonomy import Taxonomy, default_taxonomy
from tests.interviews import resume_pdfs


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return default_taxonomy()


def parse(data: bytes, tax: Taxonomy) -> ParsedResume:
    # In-process for speed; test_sandbox_and_in_process_agree ties it to the public API.
    return _parse_in_process(data, taxonomy=tax)


def found(parsed: ParsedResume) -> dict[str, tuple[str, ...]]:
    return {s.slug: s.sections for s in parsed.skills}


# --- one column ---------------------------------------------------------------------------


def test_one_column_skills_exactly(tax: Taxonomy) -> None:
    parsed = parse(resume_pdfs.one_column(), tax)
    assert found(parsed) == {
        "human-evaluation": ("summary",),
        "rubric-design": ("summary", "experience"),
        "machine-learning": ("experience",),
        "llm-as-judge": ("experience",),
        "python": ("experience", "skills"),
        "rlhf": ("experience",),
        "preference-data": ("experience",),
        "cohens-kappa": ("experience",),
        "red-teaming": ("experience",),
        "jailbreaks": ("experience",),
        "xgboost": ("experience",),
        "bigquery": ("experience",),
        "django": ("experience",),
        "postgresql": ("experience",),
        "aws": ("experience",),
        "docker": ("experience",),
        "few-shot": ("projects",),
        "langchain": ("projects",),
        "cot": ("projects",),
        "sql": ("skills",),
        "pytorch": ("skills",),
        "hf-transformers": ("skills",),
        "label-studio": ("skills",),
        "kubernetes": ("skills",),
    }
    methods = {s.slug for s in parsed.methods}
    assert {"rlhf", "few-shot", "cot", "rubric-design", "llm-as-judge"} <= methods
    assert "python" not in methods
    assert {"reinforcement-learning", "prompt-engineering"} <= set(parsed.implied_skills)


def test_one_column_roles_in_three_formats(tax: Taxonomy) -> None:
    parsed = parse(resume_pdfs.one_column(), tax)
    assert parsed.roles == [
        Role("Senior ML Engineer", "Acme Corp", "2021-01", "present"),
        Role("Data Scientist", "Acme Corp", "2019", "2021"),
        Role("Software Engineer", "Globex", "2016-03", "2018-12"),
    ]


def test_one_column_vague_and_quantified_bullets(tax: Taxonomy) -> None:
    parsed = parse(resume_pdfs.one_column(), tax)
    assert [v["text"] for v in parsed.vague_bullets] == [
        "Worked on AI projects.",
        "Responsible for various tasks.",
        "Helped the team with models.",
    ]
    assert parsed.quantified_bullets == [
        "Built an LLM-as-a-judge pipeline in Python that cut manual review time by 40%.",
        "Designed rubrics for RLHF preference data and raised Cohen's kappa from 0.52 to 0.78.",
        "Led a red teaming effort across 3 product areas with 25 external testers, "
        "reducing the jailbreak success rate from 18% to 4%.",
        "Trained XGBoost models on 2M rows in BigQuery, improving fraud recall by 12%.",
    ]
    for vague in parsed.vague_bullets:
        suggestion = vague["suggestion"].lower()
        assert "tool or method" in suggestion and "number" in suggestion
        assert "outcome" in suggestion
    worked, responsible, helped = (v["suggestion"] for v in parsed.vague_bullets)
    assert worked.startswith("Say what you built or changed")
    assert responsible.startswith("Start with what you did")
    assert helped.startswith("Say what you did yourself")
    assert "PyTorch" in helped  # "models" points at modelling tools
    shipped = next(b for b in parsed.bullets if b.text.startswith("Shipped"))
    assert not shipped.is_vague and not shipped.has_number
    assert shipped.suggestion is not None and "number" in shipped.suggestion


def test_one_column_sections(tax: Taxonomy) -> None:
    parsed = parse(resume_pdfs.one_column(), tax)
    assert set(parsed.sections) == {
        "summary",
        "experience",
        "projects",
        "education",
        "skills",
        "other",
    }
    assert parsed.sections["summary"].startswith("Evaluation lead with five years")
    assert parsed.sections["education"] == "M.Sc. Computer Science, TU Berlin, 2014 – 2016"
    assert parsed.sections["skills"].startswith("Python, SQL, PyTorch")
    assert parsed.sections["other"].startswith("JANE DOE")
    assert "SKILLS" not in parsed.sections["skills"]
    # The wrapped bullet is one bullet, not two.
    assert sum(b.text.startswith("Led a red teaming") for b in parsed.bullets) == 1
    assert not any(b.text.startswith("reducing") for b in parsed.bullets)


# --- two columns --------------------------------------------------------------------------


def test_two_column_fixture_really_interleaves_naively() -> None:
    with pdfplumber.open(io.BytesIO(resume_pdfs.two_column())) as pdf:
        naive = pdf.pages[0].extract_text()
    assert any("PyTorch" in line and "Deployed" in line for line in naive.splitlines())


def test_two_column_reads_each_column_separately(tax: Taxonomy) -> None:
    parsed = parse(resume_pdfs.two_column(), tax)
    assert parsed.sections["skills"].splitlines() == [
        "Python",
        "PyTorch",
        "TensorFlow",
        "scikit-learn",
        "Docker",
        "Kubernetes",
        "GCP",
        "SQL",
        "Weights & Biases",
    ]
    experience = parsed.sections["experience"]
    assert "PyTorch" not in experience and "Python" not in experience
    assert experience.splitlines()[0] == (
        "Machine Learning Engineer — Initech (Feb 2020 – Present)"
    )
    assert found(parsed) == {
        "python": ("skills",),
        "pytorch": ("skills",),
        "tensorflow": ("skills",),
        "sklearn": ("skills",),
        "docker": ("skills",),
        "kubernetes": ("skills",),
        "gcp": ("skills",),
        "sql": ("skills",),
        "wandb": ("skills",),
        "machine-learning": ("experience",),
        "vertex-ai": ("experience",),
        "fine-tuning": ("experience",),
        "bert": ("experience",),
        "supervised-learning": ("experience",),
        "lora": ("experience",),
        "precision-recall": ("experience",),
        "airflow": ("experience",),
        "dbt": ("experience",),
    }
    assert parsed.roles == [
        Role("Machine Learning Engineer", "Initech", "2020-02", "present"),
        Role("Data Analyst", "Hooli", "2017-06", "2020-01"),
    ]
    assert [v["text"] for v in parsed.vague_bullets] == [
        "Worked on AI projects.",
        "Responsible for various tasks.",
    ]
    assert parsed.sections["education"] == "B.Sc. Mathematics, University of Leeds, 2013 – 2017"
    assert parsed.sections["other"] == (
        "JOHN SMITH\njohn.smith@example.com · London, United Kingdom\nEnglish, German"
    )


def test_one_column_with_right_aligned_dates_is_not_split(tax: Taxonomy) -> None:
    parsed = parse(resume_pdfs.one_column(), tax)
    assert "Software Engineer, Globex\t03/2016 - 12/2018" in parsed.text.splitlines()


# --- tables, pages, glyphs ----------------------------------------------------------------


def test_skills_in_a_table_are_found(tax: Taxonomy) -> None:
    parsed = parse(resume_pdfs.skills_table(), tax)
    in_skills = {slug for slug, where in found(parsed).items() if where == ("skills",)}
    assert in_skills == {
        "python",
        "sql",
        "typescript",
        "machine-learning",
        "pytorch",
        "jax",
        "sklearn",
        "label-studio",
        "cohens-kappa",
        "bleu",
        "rouge",
        "docker",
        "terraform",
        "github-actions",
    }
    assert "Evaluation | Label Studio, Cohen's kappa, BLEU, ROUGE" in parsed.sections["skills"]
    assert parsed.roles == [Role("AI Data Specialist", "Umbrella Labs", "2022-09", "present")]


def test_multi_page_resume_keeps_sections_across_pages(tax: Taxonomy) -> None:
    parsed = parse(resume_pdfs.multi_page(), tax)
    assert parsed.page_count == 3
    assert parsed.roles == [
        Role("Prompt Engineer", "Stark Industries", "2022-03", "present"),
        Role("Conversation Designer", "Wayne Enterprises", "2019", "2022"),
    ]
    where = found(parsed)
    assert where["promptfoo"] == ("experience",)  # page 2, still under WORK EXPERIENCE
    assert where["llamaindex"] == ("projects",)
    for slug in ("few-shot", "cot", "structured-output", "openai-api"):
        assert where[slug] == ("skills",)  # page 3, under CORE COMPETENCIES
    assert [v["text"] for v in parsed.vague_bullets] == ["Supported the team."]
    assert len(parsed.quantified_bullets) == 13
    assert not any("Page " in text for text in parsed.sections.values())


def test_odd_bullet_glyphs_become_bullets(tax: Taxonomy) -> None:
    data = resume_pdfs.odd_glyphs()
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        naive = pdf.pages[0].extract_text()
    # The fixture is only meaningful if pdfplumber really mangles these glyphs.
    assert "(cid:127) Wrote Selenium tests" in naive
    assert "l Reviewed 500" in naive or "n Reviewed 500" in naive

    parsed = parse(data, tax)
    expected = [
        "Reviewed 500 chatbot transcripts a week against a rubric.",
        "Tracked defects in Jira and reduced escaped bugs by 30%.",
        "Wrote Selenium tests for the checkout flow.",
        "Did testing.",
        "Automated regression runs in Jenkins.",
        "Handled tickets.",
        "Paired with developers on pytest fixtures.",
    ]
    if resume_pdfs.DEJAVU.exists():
        expected += [
            "Maintained Postman collections.",
            "Ran load tests with Locust.",
            "Did various things.",
        ]
    assert [b.text for b in parsed.bullets] == expected
    assert "(cid:" not in parsed.text
    assert all(line.startswith("• ") for line in parsed.sections["experience"].splitlines()[1:])
    vague = [v["text"] for v in parsed.vague_bullets]
    assert vague == ["Did testing.", "Handled tickets."] + (
        ["Did various things."] if resume_pdfs.DEJAVU.exists() else []
    )


# --- plain-text analysis ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "role"),
    [
        (
            "Senior ML Engineer — Acme Corp (Jan 2021 – Present)",
            Role("Senior ML Engineer", "Acme Corp", "2021-01", "present"),
        ),
        (
            "Acme Corp | Data Scientist | 2019–2021",
            Role("Data Scientist", "Acme Corp", "2019", "2021"),
        ),
        (
            "Software Engineer, Globex, 03/2018 - 12/2020",
            Role("Software Engineer", "Globex", "2018-03", "2020-12"),
        ),
        (
            "Research Intern at DeepMind, June 2017 to September 2017",
            Role("Research Intern", "DeepMind", "2017-06", "2017-09"),
        ),
        (
            "Data Annotator @ Scale AI    2022-04 – current",
            Role("Data Annotator", "Scale AI", "2022-04", "present"),
        ),
        (
            "Initech Inc. - Backend Developer - Sept. 2015 - Now",
            Role("Backend Developer", "Initech Inc.", "2015-09", "present"),
        ),
    ],
)
def test_role_line_formats(tax: Taxonomy, line: str, role: Role) -> None:
    parsed = analyse_text(f"Experience\n{line}\n• Built things.", taxonomy=tax)
    assert parsed.roles == [role]


def test_role_split_over_two_lines(tax: Taxonomy) -> None:
    text = (
        "WORK HISTORY\n"
        "Lead Data Scientist, Hooli\n"
        "Mar 2019 – Dec 2021\n"
        "• Built churn models.\n"
        "Vandelay Industries\t2015 – 2019\n"
        "Analyst\n"
        "• Wrote reports.\n"
    )
    assert analyse_text(text, taxonomy=tax).roles == [
        Role("Lead Data Scientist", "Hooli", "2019-03", "2021-12"),
        Role("Analyst", "Vandelay Industries", "2015", "2019"),
    ]


def test_heading_synonyms(tax: Taxonomy) -> None:
    text = (
        "About Me\nI test models.\n"
        "Professional Experience\nQA Lead, Acme, 2020 - 2022\n"
        "Side Projects\nA bot.\n"
        "Academic Background\nBSc Physics\n"
        "Core Competencies:\nPython\n"
        "Tools & Technologies\nDocker\n"
        "C E R T I F I C A T I O N S\nAWS Certified Developer\n"
    )
    sections = analyse_text(text, taxonomy=tax).sections
    assert sections["summary"] == "I test models."
    assert sections["experience"] == "QA Lead, Acme, 2020 - 2022"
    assert sections["projects"] == "A bot."
    assert sections["education"] == "BSc Physics"
    assert sections["skills"] == "Python\nDocker"
    assert sections["other"] == "AWS Certified Developer"


def test_inline_skills_line_and_list_only_short_names(tax: Taxonomy) -> None:
    text = "Summary\nI go to conferences and c the value of R&D.\nSkills: Python, R, Go, C, SQL\n"
    parsed = analyse_text(text, taxonomy=tax)
    assert found(parsed) == {
        "python": ("skills",),
        "r-language": ("skills",),
        "golang": ("skills",),
        "c-language": ("skills",),
        "sql": ("skills",),
    }


@pytest.mark.parametrize(
    "glyph", ["•", "▪", "◦", "‣", "–", "-", "*", "●", "■", "\uf0b7", "(cid:127)", "➢", "✓"]
)
def test_bullet_glyphs_in_text(tax: Taxonomy, glyph: str) -> None:
    parsed = analyse_text(f"Experience\n{glyph} Worked on AI projects.", taxonomy=tax)
    assert [b.text for b in parsed.bullets] == ["Worked on AI projects."]
    assert parsed.bullets[0].is_vague


@pytest.mark.parametrize(
    ("text", "has_number"),
    [
        ("Cut costs by 30%", True),
        ("Saved $1.2M a year", True),
        ("Served 10k users", True),
        ("Made training 2x faster", True),
        ("Led a 3-person team", True),
        ("Labelled 4,500 images", True),
        ("Halved review time", True),
        ("Prompted GPT-4 for summaries", False),
        ("Used Python 3.11 and S3", False),
        ("Joined in 2021", False),
        ("Fine-tuned Llama 2 models", False),
    ],
)
def test_numbers_in_bullets(tax: Taxonomy, text: str, has_number: bool) -> None:
    parsed = analyse_text(f"Projects\n• {text}", taxonomy=tax)
    assert parsed.bullets[0].has_number is has_number


def test_quantified_needs_a_number_and_an_outcome(tax: Taxonomy) -> None:
    text = (
        "Experience\n"
        "• Annotated 10k samples in Label Studio.\n"
        "• Improved annotation throughput with better tooling.\n"
        "• Reduced labeling cost from $0.40 to $0.25 per item.\n"
    )
    parsed = analyse_text(text, taxonomy=tax)
    assert parsed.quantified_bullets == ["Reduced labeling cost from $0.40 to $0.25 per item."]
    volume, no_number, _ = parsed.bullets
    assert volume.suggestion is not None and "achieved" in volume.suggestion
    assert no_number.suggestion is not None and "number" in no_number.suggestion
    assert parsed.vague_bullets == []


def test_naming_only_the_field_is_still_vague(tax: Taxonomy) -> None:
    parsed = analyse_text(
        "Experience\n• Worked on machine learning and LLM projects.\n• Did NLP work in PyTorch.",
        taxonomy=tax,
    )
    assert [v["text"] for v in parsed.vague_bullets] == [
        "Worked on machine learning and LLM projects."
    ]


# --- output and public API ----------------------------------------------------------------


def test_to_dict_is_json_and_round_trips(tax: Taxonomy) -> None:
    parsed = parse(resume_pdfs.one_column(), tax)
    data = json.loads(json.dumps(parsed.to_dict()))
    for key in (
        "skills",
        "roles",
        "sections",
        "bullets",
        "quantified_bullets",
        "vague_bullets",
        "page_count",
        "parser_version",
    ):
        assert key in data
    assert data["parser_version"] == PARSER_VERSION
    assert {"name": "PyTorch", "slug": "pytorch", "found_in": ["skills"]}.items() <= (
        next(s for s in data["skills"] if s["slug"] == "pytorch").items()
    )
    assert data["stats"] == {
        "bullet_count": 9,
        "bullets_with_number": 4,
        "quantified_count": 4,
        "vague_count": 3,
    }
    assert ParsedResume.from_dict(data) == parsed


def test_sandbox_and_in_process_agree(tax: Taxonomy) -> None:
    data = resume_pdfs.two_column()
    assert parse_resume_bytes(data, taxonomy=tax).to_dict() == parse(data, tax).to_dict()


def test_public_api_parses_in_a_child_process(tax: Taxonomy, monkeypatch, tmp_path) -> None:
    import interviews.engine.resume as resume

    def explode(*args: object, **kwargs: object) -> None:
        raise AssertionError("parsed in the caller's process")

    monkeypatch.setattr(resume, "_extract", explode)
    path = tmp_path / "resume.pdf"
    path.write_bytes(resume_pdfs.skills_table())
    assert "jax" in parse_resume_path(path, taxonomy=tax).skill_slugs


def test_typical_resumes_parse(tax: Taxonomy) -> None:
    for seed in range(3):
        parsed = parse(resume_pdfs.typical_resume(seed), tax)
        assert parsed.page_count == 2
        assert len(parsed.roles) == 4
        assert all(r.title and r.employer and r.start and r.end for r in parsed.roles)
        assert "python" in parsed.skill_slugs or "sql" in parsed.skill_slugs


def test_management_command_prints_one_json_object(tmp_path) -> None:
    path = tmp_path / "cv.pdf"
    path.write_bytes(resume_pdfs.one_column())
    out = io.StringIO()
    call_command("parse_resume", str(path), stdout=out)
    (line,) = out.getvalue().splitlines()
    data = json.loads(line)
    assert data["roles"][0]["employer"] == "Acme Corp"
    assert len(data["vague_bullets"]) == 3


def test_management_command_refuses_with_one_line_and_no_traceback(tmp_path) -> None:
    path = tmp_path / "cv.pdf"
    path.write_bytes(resume_pdfs.encrypted())
    with pytest.raises(CommandError, match=r"^encrypted: This PDF is password-protected"):
        call_command("parse_resume", str(path))
    with pytest.raises(CommandError, match="No such file"):
        call_command("parse_resume", str(tmp_path / "missing.pdf"))
