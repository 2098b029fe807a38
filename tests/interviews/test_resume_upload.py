"""Resume intake through the candidate portal: upload, feedback, versions, refusals."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from interviews.catalog import domains_sync
from interviews.models import Attempt, Resume
from tests.interviews import resume_pdfs


def upload(client, data: bytes, name: str = "cv.pdf", content_type: str = "application/pdf"):
    return client.post("/me/resume/", {"file": SimpleUploadedFile(name, data, content_type)})


def test_upload_stores_version_and_shows_feedback(candidate, candidate_client):
    response = upload(candidate_client, resume_pdfs.one_column())
    assert response.status_code == 302
    resume = Resume.objects.get(candidate=candidate)
    assert response["Location"] == f"/me/resume/{resume.version}/"
    assert resume.is_current and resume.version == 1 and resume.page_count == 1
    assert {"pytorch", "rlhf", "langchain"} <= set(resume.skill_slugs)

    page = candidate_client.get(response["Location"]).content.decode()
    assert "PyTorch" in page and "RLHF" in page
    assert "Worked on AI projects." in page  # a vague bullet, with its suggestion
    assert "bullets carry a number" in page
    assert "Senior ML Engineer at Acme Corp" in page  # what the interview will ask about


def test_new_upload_becomes_current_and_attempts_keep_their_version(candidate, candidate_client):
    upload(candidate_client, resume_pdfs.one_column())
    first = Resume.objects.get(candidate=candidate)
    attempt = Attempt.objects.create(
        candidate=candidate, domain=domains_sync()["ai_evaluation"], resume=first, state="scored"
    )
    upload(candidate_client, resume_pdfs.two_column())
    versions = list(Resume.objects.filter(candidate=candidate).order_by("version"))
    assert [(r.version, r.is_current) for r in versions] == [(1, False), (2, True)]
    attempt.refresh_from_db()
    assert attempt.resume_id == first.pk
    assert first.file.storage.exists(first.file.name)


@pytest.mark.parametrize(
    "make, name, expected",
    [
        (lambda: b"\x89PNG\r\n\x1a\n" + b"0" * 100, "cv.pdf", "not a PDF"),
        (lambda: b"", "cv.pdf", "empty"),
        (resume_pdfs.encrypted, "cv.pdf", "password"),
        (resume_pdfs.image_only, "scan.pdf", "text"),
        (resume_pdfs.truncated, "cv.pdf", ""),
        (lambda: resume_pdfs.many_pages(25), "long.pdf", "pages"),
    ],
    ids=["png-named-pdf", "empty", "encrypted", "image-only", "truncated", "too-many-pages"],
)
def test_bad_files_get_one_clear_sentence_and_store_nothing(
    candidate, candidate_client, make, name, expected
):
    response = upload(candidate_client, make(), name=name)
    assert response.status_code == 400
    error = response.context["form"].errors["file"][0]
    assert expected.lower() in error.lower()
    assert error.endswith(".") and "\n" not in error
    assert not Resume.objects.filter(candidate=candidate).exists()


def test_oversized_file_is_refused(candidate, candidate_client, settings):
    settings.VETTA_RESUME_MAX_BYTES = 50_000
    response = upload(candidate_client, resume_pdfs.one_column() + b"%" * 60_000)
    assert response.status_code == 400
    assert "10 MB" in response.content.decode() or "large" in response.content.decode()
    assert not Resume.objects.filter(candidate=candidate).exists()


def test_feedback_of_another_candidate_is_404(candidate, candidate_client, db):
    from tests.conftest import client_for
    from tests.factories import CandidateFactory

    upload(candidate_client, resume_pdfs.one_column())
    other = CandidateFactory()
    assert client_for(other.user).get("/me/resume/1/").status_code == 404
