"""Hostile and broken uploads: each is refused with its own code, inside the time bound."""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from reportlab.pdfgen import canvas

from interviews.engine.resume import (
    REJECTION_MESSAGES,
    ResumeRejected,
    parse_resume_bytes,
    parse_resume_path,
)
from interviews.engine.taxonomy import Taxonomy, default_taxonomy
from tests.interviews import resume_pdfs

TIMEOUT_S = 10.0


@pytest.fixture(scope="module")
def tax() -> Taxonomy:
    return default_taxonomy()


def refused(call: Callable[[], object], timeout_s: float = TIMEOUT_S) -> ResumeRejected:
    started = time.monotonic()
    with pytest.raises(ResumeRejected) as caught:
        call()
    assert time.monotonic() - started < timeout_s + 2
    return caught.value


HOSTILE: dict[str, tuple[Callable[[], bytes], str]] = {
    "png": (lambda: resume_pdfs.PNG_BYTES, "not_pdf"),
    "text": (lambda: resume_pdfs.TEXT_BYTES, "not_pdf"),
    "empty": (lambda: b"", "empty"),
    "truncated": (resume_pdfs.truncated, "malformed"),
    "encrypted": (resume_pdfs.encrypted, "encrypted"),
    "image_only": (resume_pdfs.image_only, "no_text"),
    "fifty_pages": (resume_pdfs.many_pages, "too_many_pages"),
    "deeply_nested": (resume_pdfs.deeply_nested, "malformed"),
    "oversized": (resume_pdfs.oversized, "too_large"),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_file_is_refused_with_its_own_code(
    name: str, tax: Taxonomy, tmp_path: Path
) -> None:
    build, code = HOSTILE[name]
    # Saved as .pdf: the extension must prove nothing.
    path = tmp_path / "resume.pdf"
    path.write_bytes(build())
    error = refused(lambda: parse_resume_path(path, taxonomy=tax, timeout_s=TIMEOUT_S))
    assert error.code == code
    assert error.message == str(error)
    assert error.message.endswith(".") and "\n" not in error.message
    assert len(error.message) < 200


def test_messages_name_the_configured_limits(tax: Taxonomy) -> None:
    pages = refused(
        lambda: parse_resume_bytes(resume_pdfs.many_pages(8), taxonomy=tax, max_pages=5)
    )
    assert pages.code == "too_many_pages" and "more than 5 pages" in pages.message
    size = refused(
        lambda: parse_resume_bytes(resume_pdfs.one_column(), taxonomy=tax, max_bytes=1024)
    )
    assert size.code == "too_large" and "1 KB" in size.message


def test_every_code_has_a_candidate_facing_message() -> None:
    assert set(REJECTION_MESSAGES) == {
        "not_pdf",
        "empty",
        "too_large",
        "too_many_pages",
        "encrypted",
        "no_text",
        "malformed",
        "timeout",
        "too_much_memory",
    }
    for code, message in REJECTION_MESSAGES.items():
        assert ResumeRejected(code).message == message
        assert "Please" in message
    with pytest.raises(ValueError):
        ResumeRejected("bad_code")


def test_slow_parse_is_killed_at_the_timeout(tax: Taxonomy) -> None:
    started = time.monotonic()
    error = refused(
        lambda: parse_resume_bytes(resume_pdfs.one_column(), taxonomy=tax, timeout_s=0.05),
        timeout_s=0.05,
    )
    assert error.code == "timeout"
    assert time.monotonic() - started < 1.5


def dense_pdf() -> bytes:
    """Tiny text packed edge to edge: pdfminer keeps an object per character."""
    buf = io.BytesIO()
    c = canvas.Canvas(buf, invariant=1)
    for _page in range(3):
        c.setFont("Helvetica", 3)
        for i in range(250):
            c.drawString(10, 830 - i * 3.3, "Python PyTorch SQL Docker " * 9)
        c.showPage()
    c.save()
    return buf.getvalue()


def test_memory_hungry_parse_hits_the_memory_limit(tax: Taxonomy) -> None:
    error = refused(lambda: parse_resume_bytes(dense_pdf(), taxonomy=tax, memory_mb=150))
    assert error.code == "too_much_memory"


def test_pdf_header_after_leading_junk_is_still_a_pdf(tax: Taxonomy) -> None:
    parsed = parse_resume_bytes(b"\n\n" + resume_pdfs.skills_table(), taxonomy=tax)
    assert "python" in parsed.skill_slugs


def test_owner_password_only_pdf_is_read(tax: Taxonomy) -> None:
    """Permissions-only encryption (empty user password) is common from export tools."""
    from reportlab.lib.pdfencrypt import StandardEncryption

    buf = io.BytesIO()
    c = canvas.Canvas(
        buf, invariant=1, encrypt=StandardEncryption("", ownerPassword="owner", canModify=0)
    )
    c.setFont("Helvetica", 11)
    c.drawString(72, 700, "SKILLS")
    c.drawString(72, 680, "Python, PyTorch, Label Studio and Cohen's kappa")
    c.showPage()
    c.save()
    parsed = parse_resume_bytes(buf.getvalue(), taxonomy=tax)
    assert parsed.skill_slugs == ["python", "pytorch", "label-studio", "cohens-kappa"]


def test_every_file_gets_a_fresh_worker_even_with_a_spare(tax: Taxonomy) -> None:
    import interviews.engine.resume as resume

    resume.warm_up()
    assert resume._spare is not None
    first = resume._spare[0]
    parse_resume_bytes(resume_pdfs.skills_table(), taxonomy=tax)
    assert first.poll() is not None  # used once, then gone
    assert resume._spare is not None and resume._spare[0] is not first
    second = resume._spare[0]
    parse_resume_bytes(resume_pdfs.skills_table(), taxonomy=tax)
    assert second.poll() is not None
