"""Resume PDFs made at test time with reportlab: typical layouts and hostile files.

Nothing binary is committed; every builder returns the bytes of a fresh PDF. Layouts are
drawn with the canvas (not platypus) so that positions, and therefore what a naive text
extraction would do with them, are under the test's control.
"""

from __future__ import annotations

import io
import random
from collections.abc import Sequence
from pathlib import Path

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from reportlab.platypus import Table, TableStyle

WIDTH, HEIGHT = LETTER
DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _canvas(buf: io.BytesIO, **kwargs: object) -> canvas.Canvas:
    # invariant=1 keeps ids and dates fixed, so a builder always yields the same bytes.
    return canvas.Canvas(buf, pagesize=LETTER, invariant=1, **kwargs)  # type: ignore[arg-type]


class _Writer:
    """A cursor down one column of a page."""

    def __init__(self, c: canvas.Canvas, x: float, y: float, width: float, size: float = 10):
        self.c, self.x, self.y, self.width, self.size = c, x, y, width, size

    def heading(self, text: str) -> None:
        self.y -= 6
        self.c.setFont("Helvetica-Bold", self.size + 2)
        self.c.drawString(self.x, self.y, text)
        self.y -= self.size + 6

    def line(self, text: str, *, font: str = "Helvetica", indent: float = 0) -> None:
        self.c.setFont(font, self.size)
        self.c.drawString(self.x + indent, self.y, text)
        self.y -= self.size + 4

    def role(self, left: str, right: str | None = None) -> None:
        self.c.setFont("Helvetica-Bold", self.size)
        self.c.drawString(self.x, self.y, left)
        if right:
            self.c.setFont("Helvetica", self.size)
            self.c.drawRightString(self.x + self.width, self.y, right)
        self.y -= self.size + 4

    def bullet(self, *lines: str, glyph: str = "\u2022", glyph_font: str = "Helvetica") -> None:
        """A bullet whose wrapped lines hang under the text, not under the glyph."""
        self.c.setFont(glyph_font, self.size)
        self.c.drawString(self.x, self.y, glyph)
        for text in lines:
            self.c.setFont("Helvetica", self.size)
            self.c.drawString(self.x + 12, self.y, text)
            self.y -= self.size + 4


# ---------------------------------------------------------------------------------------
# Typical layouts
# ---------------------------------------------------------------------------------------


def one_column() -> bytes:
    buf = io.BytesIO()
    c = _canvas(buf)
    w = _Writer(c, 54, HEIGHT - 60, WIDTH - 108)
    c.setFont("Helvetica-Bold", 18)
    c.drawString(54, w.y, "JANE DOE")
    w.y -= 18
    w.line("jane.doe@example.com | +1 555 0100 | Berlin, Germany")
    w.heading("SUMMARY")
    w.line("Evaluation lead with five years of experience in human evaluation and rubrics.")
    w.heading("EXPERIENCE")
    w.role("Senior ML Engineer \u2014 Acme Corp (Jan 2021 \u2013 Present)")
    w.bullet("Built an LLM-as-a-judge pipeline in Python that cut manual review time by 40%.")
    w.bullet(
        "Designed rubrics for RLHF preference data and raised Cohen's kappa from 0.52 to 0.78."
    )
    w.bullet(
        "Led a red teaming effort across 3 product areas with 25 external testers,",
        "reducing the jailbreak success rate from 18% to 4%.",
    )
    w.bullet("Worked on AI projects.")
    w.role("Acme Corp | Data Scientist | 2019\u20132021")
    w.bullet("Trained XGBoost models on 2M rows in BigQuery, improving fraud recall by 12%.")
    w.bullet("Responsible for various tasks.")
    w.role("Software Engineer, Globex", "03/2016 - 12/2018")
    w.bullet("Helped the team with models.")
    w.bullet("Shipped Django and PostgreSQL services on AWS with Docker.")
    w.heading("PROJECTS")
    w.bullet("Open-source few-shot prompting toolkit using LangChain and chain-of-thought prompts.")
    w.heading("EDUCATION")
    w.line("M.Sc. Computer Science, TU Berlin, 2014 \u2013 2016")
    w.heading("SKILLS")
    w.line("Python, SQL, PyTorch, Hugging Face Transformers, Label Studio, Kubernetes")
    c.showPage()
    c.save()
    return buf.getvalue()


def two_column() -> bytes:
    """A left sidebar of skills beside the experience column, lines on shared baselines.

    Both columns use the same leading from the same top, so a naive extraction reads
    "Python • Deployed 14 ranking models ..." across the gutter on every line.
    """
    buf = io.BytesIO()
    c = _canvas(buf)
    c.setFont("Helvetica-Bold", 18)
    c.drawCentredString(WIDTH / 2, HEIGHT - 50, "JOHN SMITH")
    c.setFont("Helvetica", 9)
    c.drawCentredString(
        WIDTH / 2, HEIGHT - 66, "john.smith@example.com \u00b7 London, United Kingdom"
    )
    c.setStrokeGray(0.6)
    c.line(200, HEIGHT - 90, 200, 80)
    top = HEIGHT - 100
    leading = 14
    left = [
        ("h", "SKILLS"),
        ("t", "Python"),
        ("t", "PyTorch"),
        ("t", "TensorFlow"),
        ("t", "scikit-learn"),
        ("t", "Docker"),
        ("t", "Kubernetes"),
        ("t", "GCP"),
        ("t", "SQL"),
        ("t", "Weights & Biases"),
        ("t", ""),
        ("h", "LANGUAGES"),
        ("t", "English, German"),
    ]
    right = [
        ("h", "EXPERIENCE"),
        ("r", "Machine Learning Engineer \u2014 Initech (Feb 2020 \u2013 Present)"),
        ("b", "Deployed 14 ranking models to Vertex AI, reducing p95 latency by 35%."),
        ("b", "Fine-tuned BERT classifiers with LoRA, improving F1 from 0.81 to 0.88."),
        ("b", "Worked on AI projects."),
        ("r", "Data Analyst, Hooli, 06/2017 - 01/2020"),
        ("b", "Automated weekly reporting with Airflow and dbt, saving 10 hours a week."),
        ("b", "Responsible for various tasks."),
        ("t", ""),
        ("h", "EDUCATION"),
        ("t", "B.Sc. Mathematics, University of Leeds, 2013 \u2013 2017"),
    ]
    for column, x in ((left, 40), (right, 214)):
        y = top
        for kind, text in column:
            if kind == "h":
                c.setFont("Helvetica-Bold", 10)
                c.drawString(x, y, text)
            elif kind == "r":
                c.setFont("Helvetica-Bold", 9)
                c.drawString(x, y, text)
            elif kind == "b":
                c.setFont("Helvetica", 9)
                c.drawString(x, y, "\u2022")
                c.drawString(x + 10, y, text)
            else:
                c.setFont("Helvetica", 9)
                c.drawString(x, y, text)
            y -= leading
    c.showPage()
    c.save()
    return buf.getvalue()


def skills_table() -> bytes:
    buf = io.BytesIO()
    c = _canvas(buf)
    w = _Writer(c, 54, HEIGHT - 60, WIDTH - 108)
    c.setFont("Helvetica-Bold", 18)
    c.drawString(54, w.y, "MARIA GARCIA")
    w.y -= 24
    w.heading("EXPERIENCE")
    w.role("AI Data Specialist, Umbrella Labs, Sep 2022 - Present")
    w.bullet("Wrote annotation guidelines for 6 labeling projects, raising agreement by 15%.")
    w.heading("TECHNICAL SKILLS")
    data = [
        ["Languages", "Python, SQL, TypeScript"],
        ["Machine learning", "PyTorch, JAX, scikit-learn"],
        ["Evaluation", "Label Studio, Cohen's kappa, BLEU, ROUGE"],
        ["Infrastructure", "Docker, Terraform, GitHub Actions"],
    ]
    table = Table(data, colWidths=[130, 300])
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                ("FONTNAME", (0, 0), (-1, -1), "Helvetica"),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
            ]
        )
    )
    _tw, th = table.wrapOn(c, WIDTH, HEIGHT)
    table.drawOn(c, 54, w.y - th + 8)
    w.y -= th + 10
    w.heading("EDUCATION")
    w.line("B.A. Linguistics, University of Texas, 2014 - 2018")
    c.showPage()
    c.save()
    return buf.getvalue()


def multi_page() -> bytes:
    """Three pages; the experience section runs from page 1 onto page 2."""
    buf = io.BytesIO()
    c = _canvas(buf)

    def footer(n: int) -> None:
        c.setFont("Helvetica", 8)
        c.drawCentredString(WIDTH / 2, 30, f"Page {n} of 3")

    w = _Writer(c, 54, HEIGHT - 60, WIDTH - 108)
    c.setFont("Helvetica-Bold", 18)
    c.drawString(54, w.y, "ALEX CHEN")
    w.y -= 24
    w.heading("PROFILE")
    w.line("Prompt engineer who writes evals before prompts.")
    w.heading("WORK EXPERIENCE")
    w.role("Prompt Engineer", "Mar 2022 \u2013 Present")
    w.line("Stark Industries")
    for i in range(12):
        w.bullet(
            f"Wrote {i + 3} system prompts for support flows, improving resolution by {i + 2}%."
        )
    footer(1)
    c.showPage()

    w = _Writer(c, 54, HEIGHT - 60, WIDTH - 108)
    w.bullet("Evaluated prompts with promptfoo and an eval harness of 800 cases.")
    w.role("Wayne Enterprises", "2019 \u2013 2022")
    w.line("Conversation Designer")
    w.bullet("Designed chatbot flows in Dialogflow used by 40k customers a month.")
    w.bullet("Supported the team.")
    footer(2)
    c.showPage()

    w = _Writer(c, 54, HEIGHT - 60, WIDTH - 108)
    w.heading("PROJECTS")
    w.bullet("Built a retrieval-augmented generation demo with LlamaIndex and Pinecone.")
    w.heading("EDUCATION")
    w.line("B.S. Cognitive Science, UC San Diego, 2015 - 2019")
    w.heading("CORE COMPETENCIES")
    w.line("Few-shot prompting | Chain-of-thought | Structured output | OpenAI API")
    footer(3)
    c.showPage()
    c.save()
    return buf.getvalue()


def odd_glyphs() -> bytes:
    """Bullets drawn with glyphs that extract as letters, (cid:NNN) or symbols."""
    buf = io.BytesIO()
    c = _canvas(buf)
    w = _Writer(c, 54, HEIGHT - 60, WIDTH - 108)
    c.setFont("Helvetica-Bold", 18)
    c.drawString(54, w.y, "SAM TAYLOR")
    w.y -= 24
    w.heading("EXPERIENCE")
    w.role("QA Analyst, Vandelay Industries, 2020 - 2023")
    # ZapfDingbats has no Unicode map, so pdfminer prints its glyph codes as letters.
    w.bullet(
        "Reviewed 500 chatbot transcripts a week against a rubric.",
        glyph="l",
        glyph_font="ZapfDingbats",
    )
    w.bullet(
        "Tracked defects in Jira and reduced escaped bugs by 30%.",
        glyph="n",
        glyph_font="ZapfDingbats",
    )
    # Helvetica's bullet glyph extracts as "(cid:127)".
    w.bullet("Wrote Selenium tests for the checkout flow.", glyph="\u2022")
    w.bullet("Did testing.", glyph="\u2022", glyph_font="Symbol")
    w.bullet("Automated regression runs in Jenkins.", glyph="\u2013")
    w.bullet("Handled tickets.", glyph="-")
    w.bullet("Paired with developers on pytest fixtures.", glyph="*")
    if DEJAVU.exists():
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        pdfmetrics.registerFont(TTFont("DejaVuSans", str(DEJAVU)))
        for glyph, text in (
            ("\u25aa", "Maintained Postman collections."),
            ("\u25e6", "Ran load tests with Locust."),
            ("\u2023", "Did various things."),
        ):
            w.bullet(text, glyph=glyph, glyph_font="DejaVuSans")
    c.showPage()
    c.save()
    return buf.getvalue()


_TYPICAL_ROLES = [
    ("Senior ML Engineer", "Acme Corp", "Jan 2021", "Present"),
    ("Data Scientist", "Globex", "Mar 2018", "Dec 2020"),
    ("AI Evaluation Specialist", "Initech", "2016", "2018"),
    ("Software Engineer", "Hooli", "Jun 2014", "Feb 2016"),
    ("Prompt Engineer", "Umbrella Labs", "Sep 2022", "Present"),
]
_TYPICAL_BULLETS = [
    "Built a RAG pipeline with LangChain and Pinecone serving {n}k queries a day.",
    "Cut inference latency by {n}% by moving batch scoring to vLLM.",
    "Designed rubrics and ran human evaluation of {n} model variants.",
    "Fine-tuned Llama 3 with LoRA on {n}k instruction pairs, improving win rate by {n}%.",
    "Raised inter-annotator agreement from 0.6 to 0.8 with clearer guidelines.",
    "Migrated {n} services to Kubernetes on AWS with Terraform.",
    "Led A/B testing of ranking changes across {n}M sessions.",
    "Worked on AI projects.",
    "Wrote pytest suites for Django REST APIs, reducing regressions by {n}%.",
    "Red teamed chat models for jailbreaks and prompt injection across {n} harm areas.",
    "Automated dashboards in Tableau and SQL for {n} teams.",
    "Responsible for various tasks.",
]
_TYPICAL_SKILLS = [
    "Python",
    "SQL",
    "PyTorch",
    "TensorFlow",
    "scikit-learn",
    "Docker",
    "Kubernetes",
    "AWS",
    "GCP",
    "Label Studio",
    "LangChain",
    "LlamaIndex",
    "React",
    "Django",
    "FastAPI",
    "Airflow",
    "Spark",
    "MLflow",
    "Weights & Biases",
    "Hugging Face Transformers",
    "RLHF",
    "DPO",
]


def typical_resume(seed: int) -> bytes:
    """A varied, realistic two-page resume (for the benchmark and smoke tests)."""
    rnd = random.Random(seed)
    buf = io.BytesIO()
    c = _canvas(buf)
    w = _Writer(c, 54, HEIGHT - 60, WIDTH - 108)
    c.setFont("Helvetica-Bold", 18)
    c.drawString(54, w.y, f"CANDIDATE {seed}")
    w.y -= 18
    w.line(f"candidate{seed}@example.com | +1 555 01{seed:02d}")
    w.heading("SUMMARY")
    w.line("Engineer working across evaluation, prompting and machine learning systems.")
    w.heading("EXPERIENCE")
    roles = rnd.sample(_TYPICAL_ROLES, k=4)
    for i, (title, employer, start, end) in enumerate(roles):
        if i == 2:
            c.showPage()
            w = _Writer(c, 54, HEIGHT - 60, WIDTH - 108)
        w.role(f"{title} \u2014 {employer}", f"{start} \u2013 {end}")
        for template in rnd.sample(_TYPICAL_BULLETS, k=rnd.randint(4, 6)):
            w.bullet(template.format(n=rnd.randint(2, 60)))
    w.heading("EDUCATION")
    w.line("M.Sc. Computer Science, Example University, 2010 \u2013 2012")
    w.heading("SKILLS")
    skills = rnd.sample(_TYPICAL_SKILLS, k=12)
    w.line(", ".join(skills[:6]))
    w.line(", ".join(skills[6:]))
    c.showPage()
    c.save()
    return buf.getvalue()


# ---------------------------------------------------------------------------------------
# Hostile and broken files
# ---------------------------------------------------------------------------------------

PNG_BYTES = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8"
    b"N\x00\x00\x00\x00IEND\xaeB`\x82"
)
TEXT_BYTES = b"Jane Doe\nPython, SQL, PyTorch\nExperience: Acme Corp 2019-2021\n"


def truncated() -> bytes:
    data = one_column()
    return data[: len(data) // 2]


def encrypted() -> bytes:
    buf = io.BytesIO()
    c = _canvas(buf, encrypt="secret")
    c.setFont("Helvetica", 12)
    c.drawString(72, 700, "Jane Doe - Python, SQL, PyTorch, Docker and Kubernetes")
    c.showPage()
    c.save()
    return buf.getvalue()


def image_only() -> bytes:
    """A 'scanned' resume: one picture of text, no text layer."""
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (850, 1100), "white")
    draw = ImageDraw.Draw(img)
    for i in range(30):
        draw.text((60, 60 + i * 30), f"Line {i}: Python, SQL, PyTorch, Docker", fill="black")
    png = io.BytesIO()
    img.save(png, format="PNG")
    buf = io.BytesIO()
    c = _canvas(buf)
    c.drawImage(ImageReader(io.BytesIO(png.getvalue())), 0, 0, WIDTH, HEIGHT)
    c.showPage()
    c.save()
    return buf.getvalue()


def many_pages(n: int = 50) -> bytes:
    buf = io.BytesIO()
    c = _canvas(buf)
    for i in range(n):
        c.setFont("Helvetica", 12)
        c.drawString(72, 700, f"Page {i + 1}: Python, SQL and PyTorch experience, continued.")
        c.showPage()
    c.save()
    return buf.getvalue()


def _handwritten_pdf(objects: Sequence[bytes]) -> bytes:
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def deeply_nested(depth: int = 100_000) -> bytes:
    """A page whose MediaBox is an array nested ``depth`` levels deep."""
    content = b"BT /F1 12 Tf 72 700 Td (Jane Doe - Python, SQL and PyTorch) Tj ET"
    return _handwritten_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox 5 0 R /Contents 4 0 R"
            b" /Resources << /Font << /F1 6 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"[" * depth + b"0 0 612 792" + b"]" * depth,
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )


def oversized(size: int = 10 * 1024 * 1024 + 1) -> bytes:
    """A real PDF padded past ``size`` with incompressible stream data."""
    noise = random.Random(7).randbytes(size)
    content = b"BT /F1 12 Tf 72 700 Td (Jane Doe - Python) Tj ET"
    return _handwritten_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
            b" /Resources << /Font << /F1 6 0 R >> >> >>",
            b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
            b"<< /Length %d >>\nstream\n" % len(noise) + noise + b"\nendstream",
            b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        ]
    )
