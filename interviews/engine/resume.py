"""Resume intake: turn an uploaded PDF into a ParsedResume.

The result carries sections, roles with dates, bullets (with what each one lacks), skills
matched against the taxonomy and the quantified achievements. Plain Python, no Django.

pdfminer (under pdfplumber) has known endless loops, deep recursion and memory blow-ups
on hostile files, so the public functions never parse in the caller's process: they run
``interviews.engine.resume_worker`` as a fresh subprocess with an address-space limit, a
CPU limit and a wall-clock kill. A subprocess rather than ``multiprocessing`` because the
caller may be a threaded web server or a daemonic Celery pool process, where ``fork`` is
unsafe and ``multiprocessing`` refuses to start children. The worker answers in JSON,
never pickle, so a subverted parser cannot execute code in the caller.
"""

from __future__ import annotations

import atexit
import io
import json
import logging
import math
import os
import pickle
import re
import signal
import subprocess
import sys
import threading
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from interviews.engine.taxonomy import Taxonomy

logger = logging.getLogger(__name__)

PARSER_VERSION = "1"
SECTION_NAMES = ("summary", "experience", "projects", "education", "skills", "other")

DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_MAX_PAGES = 20
DEFAULT_TIMEOUT_S = 10.0
DEFAULT_MEMORY_MB = 512

_PROJECT_ROOT = Path(__file__).resolve().parents[2]

# --------------------------------------------------------------------------------------
# Rejections
# --------------------------------------------------------------------------------------

REJECTION_MESSAGES: dict[str, str] = {
    "not_pdf": "This file is not a PDF. Please upload your resume as a PDF.",
    "empty": "This file is empty. Please upload your resume as a PDF.",
    "too_large": "This file is larger than 10 MB. Please upload a smaller PDF.",
    "too_many_pages": "This resume has more than 20 pages. Please upload a shorter version.",
    "encrypted": ("This PDF is password-protected. Please upload a version without a password."),
    "no_text": (
        "We could not find any text in this PDF (it looks like a scan or an image). "
        "Please upload a PDF exported from your word processor."
    ),
    "malformed": (
        "This PDF appears to be damaged and could not be read. "
        "Please export it again and upload the new file."
    ),
    "timeout": (
        "Reading this PDF took too long. Please export it again or upload a simpler version."
    ),
    "too_much_memory": (
        "Reading this PDF needed too much memory. "
        "Please export it again or upload a simpler version."
    ),
}


class ResumeRejected(Exception):  # noqa: N818 - the name the product code uses
    """An upload we will not parse; ``message`` is written for the candidate."""

    def __init__(self, code: str, message: str | None = None) -> None:
        if code not in REJECTION_MESSAGES:
            raise ValueError(f"unknown rejection code {code!r}")
        self.code = code
        self.message = message or REJECTION_MESSAGES[code]
        super().__init__(self.message)

    def __reduce__(self) -> tuple[Any, ...]:
        return (ResumeRejected, (self.code, self.message))


def _too_large(max_bytes: int) -> ResumeRejected:
    mb = max_bytes / (1024 * 1024)
    size = f"{mb:g} MB" if mb >= 1 else f"{max_bytes // 1024} KB"
    return ResumeRejected(
        "too_large", f"This file is larger than {size}. Please upload a smaller PDF."
    )


def _too_many_pages(max_pages: int) -> ResumeRejected:
    return ResumeRejected(
        "too_many_pages",
        f"This resume has more than {max_pages} pages. Please upload a shorter version.",
    )


# --------------------------------------------------------------------------------------
# Result model
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Role:
    title: str | None
    employer: str | None
    start: str | None  # "2021-03", "2021" or None
    end: str | None  # as start, or "present"

    def to_dict(self) -> dict[str, str | None]:
        return {
            "title": self.title,
            "employer": self.employer,
            "start": self.start,
            "end": self.end,
        }


@dataclass(frozen=True)
class Bullet:
    text: str
    section: str
    has_number: bool
    is_vague: bool
    suggestion: str | None = None
    has_outcome: bool = False
    skills: tuple[str, ...] = ()

    @property
    def is_quantified(self) -> bool:
        return self.has_number and self.has_outcome

    def to_dict(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "section": self.section,
            "has_number": self.has_number,
            "has_outcome": self.has_outcome,
            "is_quantified": self.is_quantified,
            "is_vague": self.is_vague,
            "suggestion": self.suggestion,
            "skills": list(self.skills),
        }


@dataclass(frozen=True)
class FoundSkill:
    slug: str
    name: str
    kind: str
    sections: tuple[str, ...]  # where it was named, in reading order
    count: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "name": self.name,
            "kind": self.kind,
            "found_in": list(self.sections),
            "count": self.count,
        }


@dataclass
class ParsedResume:
    text: str
    sections: dict[str, str]
    roles: list[Role]
    bullets: list[Bullet]
    skills: list[FoundSkill]
    page_count: int
    implied_skills: list[str] = field(default_factory=list)  # ancestors not named directly
    parser_version: str = PARSER_VERSION

    @property
    def methods(self) -> list[FoundSkill]:
        return [s for s in self.skills if s.kind == "method"]

    @property
    def quantified_bullets(self) -> list[str]:
        return [b.text for b in self.bullets if b.is_quantified]

    @property
    def vague_bullets(self) -> list[dict[str, str]]:
        return [
            {"text": b.text, "suggestion": b.suggestion or ""} for b in self.bullets if b.is_vague
        ]

    @property
    def skill_slugs(self) -> list[str]:
        return [s.slug for s in self.skills]

    def to_dict(self) -> dict[str, Any]:
        judged = [b for b in self.bullets if b.section in _JUDGED_SECTIONS]
        return {
            "parser_version": self.parser_version,
            "page_count": self.page_count,
            "skills": [s.to_dict() for s in self.skills],
            "methods": [s.to_dict() for s in self.methods],
            "implied_skills": list(self.implied_skills),
            "roles": [r.to_dict() for r in self.roles],
            "sections": dict(self.sections),
            "bullets": [b.to_dict() for b in self.bullets],
            "quantified_bullets": self.quantified_bullets,
            "vague_bullets": self.vague_bullets,
            "stats": {
                "bullet_count": len(judged),
                "bullets_with_number": sum(b.has_number for b in judged),
                "quantified_count": sum(b.is_quantified for b in judged),
                "vague_count": sum(b.is_vague for b in judged),
            },
            "text": self.text,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ParsedResume:
        return cls(
            text=str(data["text"]),
            sections={str(k): str(v) for k, v in data["sections"].items()},
            roles=[Role(r["title"], r["employer"], r["start"], r["end"]) for r in data["roles"]],
            bullets=[
                Bullet(
                    text=b["text"],
                    section=b["section"],
                    has_number=bool(b["has_number"]),
                    is_vague=bool(b["is_vague"]),
                    suggestion=b.get("suggestion"),
                    has_outcome=bool(b.get("has_outcome", False)),
                    skills=tuple(b.get("skills", ())),
                )
                for b in data["bullets"]
            ],
            skills=[
                FoundSkill(s["slug"], s["name"], s["kind"], tuple(s["found_in"]), int(s["count"]))
                for s in data["skills"]
            ],
            page_count=int(data["page_count"]),
            implied_skills=list(data.get("implied_skills", [])),
            parser_version=str(data.get("parser_version", PARSER_VERSION)),
        )


# --------------------------------------------------------------------------------------
# Public API: always sandboxed
# --------------------------------------------------------------------------------------


def parse_resume_bytes(
    data: bytes,
    *,
    taxonomy: Taxonomy,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_pages: int = DEFAULT_MAX_PAGES,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    memory_mb: int = DEFAULT_MEMORY_MB,
) -> ParsedResume:
    """Parse an uploaded resume in a limited child process, or raise ResumeRejected."""
    check_upload(data, max_bytes=max_bytes)
    payload = pickle.dumps(
        {"data": bytes(data), "taxonomy": _pickled_taxonomy(taxonomy), "max_pages": max_pages},
        protocol=pickle.HIGHEST_PROTOCOL,
    )
    limits = (int(memory_mb), math.ceil(timeout_s) + 1)
    proc = _take_worker(limits)
    # The context manager closes all three pipes even when the child is killed mid-write.
    with proc:
        try:
            out, err = proc.communicate(payload, timeout=timeout_s)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            raise ResumeRejected("timeout") from None
        except BaseException:
            proc.kill()
            proc.communicate()
            raise
    if limits == _DEFAULT_LIMITS and USE_SPARE_WORKER:
        _prepare_spare(limits)
    return _read_worker_answer(out, err, proc.returncode, max_pages=max_pages, max_bytes=max_bytes)


# One worker is started ahead of time, imports pdfplumber and warms pdfminer's caches
# while idle, and then parses exactly one file, so an upload does not wait for interpreter
# start-up. Each file still gets a fresh process.
USE_SPARE_WORKER = True
_DEFAULT_LIMITS = (DEFAULT_MEMORY_MB, math.ceil(DEFAULT_TIMEOUT_S) + 1)
_spare_lock = threading.Lock()
_spare: tuple[subprocess.Popen[bytes], int, tuple[int, int]] | None = None  # proc, pid, limits


def _start_worker(limits: tuple[int, int], *, warm: bool = False) -> subprocess.Popen[bytes]:
    cmd = [
        sys.executable,
        "-I",  # ignore PYTHON* variables and user site-packages: the worker is ours alone
        "-c",
        "import sys; sys.path.insert(0, sys.argv[1]); "
        "from interviews.engine.resume_worker import main; sys.exit(main(sys.argv[2:]))",
        str(_PROJECT_ROOT),
        f"--memory-mb={limits[0]}",
        f"--cpu-s={limits[1]}",
    ]
    if warm:
        cmd.append("--warm")
    return subprocess.Popen(
        cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def _take_worker(limits: tuple[int, int]) -> subprocess.Popen[bytes]:
    global _spare
    with _spare_lock:
        spare, _spare = _spare, None
    if spare is not None:
        proc, pid, spare_limits = spare
        # A spare inherited through fork() belongs to the parent process; never share it.
        if pid == os.getpid() and spare_limits == limits and proc.poll() is None:
            return proc
        if pid == os.getpid():
            _stop_worker(proc)
    return _start_worker(limits)


def _prepare_spare(limits: tuple[int, int]) -> None:
    global _spare
    with _spare_lock:
        if _spare is None:
            _spare = (_start_worker(limits, warm=True), os.getpid(), limits)


def _stop_worker(proc: subprocess.Popen[bytes]) -> None:
    with proc:
        proc.kill()
        proc.communicate()


def warm_up() -> None:
    """Start the spare worker now (e.g. when a web or task worker boots)."""
    _prepare_spare(_DEFAULT_LIMITS)


@atexit.register
def _stop_spare() -> None:
    global _spare
    with _spare_lock:
        spare, _spare = _spare, None
    if spare is not None and spare[1] == os.getpid():
        _stop_worker(spare[0])


_taxonomy_pickle: tuple[Taxonomy, bytes] | None = None


def _pickled_taxonomy(taxonomy: Taxonomy) -> bytes:
    """The taxonomy as pickle bytes, kept for the next upload: pickling it costs ~10 ms."""
    global _taxonomy_pickle
    cached = _taxonomy_pickle
    if cached is not None and cached[0] is taxonomy:
        return cached[1]
    blob = pickle.dumps(taxonomy, protocol=pickle.HIGHEST_PROTOCOL)
    _taxonomy_pickle = (taxonomy, blob)
    return blob


def parse_resume_path(path: str | Path, **kwargs: Any) -> ParsedResume:
    """``parse_resume_bytes`` for a file on disk; reads no more than the size limit."""
    max_bytes = int(kwargs.get("max_bytes", DEFAULT_MAX_BYTES))
    with open(path, "rb") as fh:
        data = fh.read(max_bytes + 1)
    return parse_resume_bytes(data, **kwargs)


def check_upload(data: bytes, *, max_bytes: int = DEFAULT_MAX_BYTES) -> None:
    """The cheap checks on raw bytes, done before any parser sees them."""
    if not data:
        raise ResumeRejected("empty")
    # Readers accept the header anywhere in the first KB; the file name proves nothing.
    if b"%PDF-" not in data[:1024]:
        raise ResumeRejected("not_pdf")
    if len(data) > max_bytes:
        raise _too_large(max_bytes)


def _read_worker_answer(
    out: bytes, err: bytes, returncode: int, *, max_pages: int, max_bytes: int
) -> ParsedResume:
    answer: dict[str, Any] | None = None
    if out:
        try:
            answer = json.loads(out)
        except ValueError:
            answer = None
    if isinstance(answer, dict) and answer.get("ok") is True:
        return ParsedResume.from_dict(answer["result"])
    if isinstance(answer, dict) and answer.get("code") in REJECTION_MESSAGES:
        code = answer["code"]
        if code == "too_many_pages":
            raise _too_many_pages(max_pages)
        if code == "too_large":
            raise _too_large(max_bytes)
        raise ResumeRejected(code)
    tail = err.decode("utf-8", "replace")[-500:]
    logger.warning("resume worker exited with %s and no answer: %s", returncode, tail)
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise ResumeRejected("timeout")
    # pdfminer is pure Python, so a crash under RLIMIT_AS is the address space running out
    # where no MemoryError can be raised (a C allocation, or the stack failing to grow).
    if "MemoryError" in tail or returncode in (-signal.SIGSEGV, -signal.SIGBUS):
        raise ResumeRejected("too_much_memory")
    raise ResumeRejected("malformed")


# --------------------------------------------------------------------------------------
# In-process parsing (the worker calls this; tests and benchmarks may too)
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TextLine:
    """One visual line of text, in reading order."""

    text: str
    page: int
    x0: float
    top: float
    glyph_bullet: bool = False  # the line began with a symbol-font glyph


@dataclass(frozen=True)
class ExtractedPdf:
    lines: list[TextLine]
    page_count: int


def _parse_in_process(
    data: bytes, *, taxonomy: Taxonomy, max_pages: int = DEFAULT_MAX_PAGES
) -> ParsedResume:
    """Extract and analyse in this process: no limits, so only for trusted or sandboxed use."""
    extracted = _extract(data, max_pages=max_pages)
    return analyse_lines(extracted.lines, taxonomy=taxonomy, page_count=extracted.page_count)


_SYMBOL_FONT_RE = re.compile(r"dingbat|symbol|wingding|webding", re.IGNORECASE)
_CID_RE = re.compile(r"\(cid:\d+\)")
_GLYPH_PREFIX_RE = re.compile(r"^(?:\(cid:\d+\)|[\uf000-\uf8ff])\s*")


@dataclass
class _Item:
    text: str
    x0: float
    x1: float
    top: float
    font: str = ""


def _extract(data: bytes, *, max_pages: int = DEFAULT_MAX_PAGES) -> ExtractedPdf:
    """Lines of text from a PDF with pdfplumber, columns and tables put in reading order."""
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdftypes import resolve1

    if not data or b"%PDF-" not in data[:1024]:
        raise ResumeRejected("not_pdf" if data else "empty")
    # A file cut short loses its trailer; pdfminer would "recover" a fragment of it, and
    # an interview built on half a resume is worse than asking for the file again.
    if b"%%EOF" not in data[-2048:]:
        raise ResumeRejected("malformed")

    encryption_errors = (PDFPasswordIncorrect, PDFEncryptionError)
    try:
        pdf = pdfplumber.open(io.BytesIO(data), pages=list(range(1, max_pages + 2)))
    except encryption_errors:
        raise ResumeRejected("encrypted") from None
    except Exception as exc:
        cause = exc.args[0] if exc.args else None
        if isinstance(cause, encryption_errors) or "password" in str(exc).lower():
            raise ResumeRejected("encrypted") from None
        _reraise_memory(exc)
        raise ResumeRejected("malformed") from None

    with pdf:
        try:
            declared = resolve1(resolve1(pdf.doc.catalog.get("Pages")).get("Count"))
        except Exception:
            declared = None
        if isinstance(declared, int) and declared > max_pages:
            raise _too_many_pages(max_pages)
        try:
            pages = pdf.pages
        except Exception as exc:
            _reraise_memory(exc)
            raise ResumeRejected("malformed") from None
        if len(pages) > max_pages:
            raise _too_many_pages(max_pages)
        if not pages:
            raise ResumeRejected("malformed")

        lines: list[TextLine] = []
        for number, page in enumerate(pages, start=1):
            try:
                lines.extend(_page_lines(page, number))
            except (ResumeRejected, MemoryError):
                raise
            except Exception as exc:
                _reraise_memory(exc)
                raise ResumeRejected("malformed") from None
        page_count = len(pages)

    readable = sum(ch.isalnum() for line in lines for ch in _CID_RE.sub("", line.text))
    if readable < 20:
        raise ResumeRejected("no_text")
    return ExtractedPdf(lines=lines, page_count=page_count)


def _reraise_memory(exc: BaseException) -> None:
    """pdfplumber wraps everything, MemoryError included, in its own exception types."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, MemoryError) or any(isinstance(a, MemoryError) for a in seen.args):
            raise MemoryError from None
        seen = seen.__cause__ or seen.__context__


def _page_lines(page: Any, number: int) -> list[TextLine]:
    words = page.extract_words(extra_attrs=["fontname"], keep_blank_chars=False)
    items: list[_Item] = []
    table_boxes: list[tuple[float, float, float, float]] = []
    # Ruled tables only: without rules, pdfplumber's text strategy finds "tables" in prose.
    if page.rects or page.lines:
        for table in page.find_tables():
            x0, _top, x1, _bottom = table.bbox
            table_boxes.append(table.bbox)
            for row, cells in zip(table.rows, table.extract(), strict=False):
                texts = [" ".join(c.split()) for c in cells if c and c.strip()]
                if texts:
                    items.append(_Item(" | ".join(texts), x0, x1, row.bbox[1]))
    for w in words:
        cx, cy = (w["x0"] + w["x1"]) / 2, (w["top"] + w["bottom"]) / 2
        if any(b[0] <= cx <= b[2] and b[1] <= cy <= b[3] for b in table_boxes):
            continue
        items.append(_Item(w["text"], w["x0"], w["x1"], w["top"], w.get("fontname", "")))
    if not items:
        return []

    rows = _rows(items)
    band = _column_band(rows)
    ordered: list[list[_Item]] = []
    if band is None:
        ordered = rows
    else:
        lo, hi = band
        left: list[list[_Item]] = []
        right: list[list[_Item]] = []
        for row in rows:
            if any(i.x0 < hi and i.x1 > lo for i in row):  # a full-width line, e.g. the name
                ordered += left + right
                left, right = [], []
                ordered.append(row)
                continue
            lpart = [i for i in row if i.x1 <= lo]
            rpart = [i for i in row if i.x0 >= hi]
            if lpart:
                left.append(lpart)
            if rpart:
                right.append(rpart)
        ordered += left + right
    return [_line_from_items(row, number) for row in ordered]


def _rows(items: list[_Item], tolerance: float = 3.0) -> list[list[_Item]]:
    rows: list[list[_Item]] = []
    current: list[_Item] = []
    row_top = 0.0
    for item in sorted(items, key=lambda i: (i.top, i.x0)):
        if current and abs(item.top - row_top) > tolerance:
            rows.append(sorted(current, key=lambda i: i.x0))
            current = []
        if not current:
            row_top = item.top
        current.append(item)
    if current:
        rows.append(sorted(current, key=lambda i: i.x0))
    return rows


def _column_band(rows: list[list[_Item]]) -> tuple[float, float] | None:
    """The x-range of a gutter between two text columns, if the page has one.

    A gutter is a vertical band that (almost) no line crosses, with substantial text on
    both sides; one-column resumes fail because their bullets run across the middle.
    """
    n = len(rows)
    if n < 8:
        return None
    x_lo = min(i.x0 for r in rows for i in r)
    x_hi = max(i.x1 for r in rows for i in r)
    span = x_hi - x_lo
    if span < 200:
        return None
    origin = int(x_lo)
    width = int(x_hi) - origin + 2
    diff = [0] * (width + 1)
    for row in rows:
        for i in row:
            diff[max(int(i.x0) - origin, 0)] += 1
            diff[min(math.ceil(i.x1) - origin + 1, width)] -= 1
    cover: list[int] = []
    running = 0
    for d in diff[:width]:
        running += d
        cover.append(running)

    allowed = max(1, int(0.12 * n))  # full-width header rows may cross the gutter
    start, stop = int(0.15 * span), int(0.85 * span)
    best: tuple[int, int] | None = None
    run_start: int | None = None
    for x in range(start, stop + 1):
        low = x < len(cover) and cover[x] <= allowed
        if low and run_start is None:
            run_start = x
        if (not low or x == stop) and run_start is not None:
            end = x if low else x - 1
            if best is None or end - run_start > best[1] - best[0]:
                best = (run_start, end)
            run_start = None
    if best is None or best[1] - best[0] < 8:
        return None
    lo, hi = best[0] + origin, best[1] + origin

    left = [r for r in rows if any(i.x1 <= lo for i in r)]
    right = [r for r in rows if any(i.x0 >= hi for i in r)]
    need = max(4, int(0.2 * n))
    if len(left) < need or len(right) < need:
        return None
    one_sided = sum(1 for r in rows if all(i.x1 <= lo for i in r) or all(i.x0 >= hi for i in r))
    starts = [round(min(i.x0 for i in r if i.x0 >= hi)) for r in right]
    aligned = max(starts.count(s) for s in set(starts)) / len(starts)
    if one_sided < 0.2 * n and aligned < 0.5:
        return None
    return float(lo), float(hi)


def _line_from_items(row: list[_Item], page: int) -> TextLine:
    glyph = False
    first = row[0]
    if _SYMBOL_FONT_RE.search(first.font) and len(first.text) <= 2 and len(row) > 1:
        glyph = True
        row = row[1:]
    parts: list[str] = []
    prev: _Item | None = None
    for item in row:
        if prev is not None:
            # A wide gap separates fields (title ... dates); keep it visible to the parser.
            parts.append("\t" if item.x0 - prev.x1 > 18 else " ")
        parts.append(item.text)
        prev = item
    text = unicodedata.normalize("NFKC", "".join(parts))
    # Bullet glyphs without a Unicode mapping come out as letters or "(cid:127)"; the
    # stored text shows them as the bullets they were drawn as.
    text = f"\u2022 {text}" if glyph else _GLYPH_PREFIX_RE.sub("\u2022 ", text, count=1)
    return TextLine(text=text, page=page, x0=first.x0, top=first.top, glyph_bullet=glyph)


# --------------------------------------------------------------------------------------
# Text analysis: sections, roles, bullets, skills
# --------------------------------------------------------------------------------------

_HEADING_SYNONYMS: dict[str, tuple[str, ...]] = {
    "summary": (
        "summary",
        "professional summary",
        "profile",
        "professional profile",
        "about",
        "about me",
        "objective",
        "career objective",
        "overview",
        "career summary",
        "executive summary",
        "personal statement",
        "introduction",
        "highlights",
    ),
    "experience": (
        "experience",
        "work experience",
        "employment",
        "employment history",
        "professional experience",
        "work history",
        "career history",
        "relevant experience",
        "industry experience",
        "research experience",
        "professional background",
        "experience highlights",
        "positions",
        "career",
    ),
    "projects": (
        "projects",
        "personal projects",
        "selected projects",
        "key projects",
        "side projects",
        "academic projects",
        "open source",
        "open source projects",
        "open source contributions",
        "project experience",
        "portfolio",
    ),
    "education": (
        "education",
        "academic background",
        "education and training",
        "academics",
        "education and certifications",
        "qualifications",
        "academic qualifications",
    ),
    "skills": (
        "skills",
        "technical skills",
        "core competencies",
        "competencies",
        "tools",
        "tools and technologies",
        "technologies",
        "tech stack",
        "skills and tools",
        "key skills",
        "languages and tools",
        "programming languages",
        "expertise",
        "areas of expertise",
        "skills and expertise",
        "technical proficiencies",
        "skills and technologies",
        "technical expertise",
        "skill set",
        "skillset",
        "toolbox",
        "stack",
        "technical skills and tools",
        "core skills",
    ),
    "other": (
        "certifications",
        "certificates",
        "certification",
        "licenses and certifications",
        "awards",
        "honors",
        "honours",
        "awards and honors",
        "publications",
        "languages",
        "interests",
        "hobbies",
        "volunteering",
        "volunteer experience",
        "leadership",
        "activities",
        "references",
        "patents",
        "talks",
        "presentations",
        "courses",
        "coursework",
        "relevant coursework",
        "training",
        "additional information",
        "achievements",
        "memberships",
        "affiliations",
    ),
}
_HEADINGS = {name: section for section, names in _HEADING_SYNONYMS.items() for name in names}

_BULLET_RE = re.compile(
    r"^\s*(?:\(cid:\d+\)|[•▪◦‣⁃●■□◆◇○►▸▹➢➤➔→✓✔❖∙·*\-–—\uf000-\uf8ff]|o(?=\s+[A-Z]))\s*"
)
_PAGE_FOOTER_RE = re.compile(r"^\s*(?:page\s+)?\d+\s*(?:of|/)\s*\d+\s*$", re.IGNORECASE)

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE = (
    rf"(?:{_MONTH}\s*,?\s*(?:\d{{4}}|'\d{{2}})"
    r"|(?:spring|summer|fall|autumn|winter)\s+\d{4}"
    r"|(?:0?[1-9]|1[0-2])[/.](?:19|20)\d{2}"
    r"|(?:19|20)\d{2}[-/.](?:0?[1-9]|1[0-2])(?!\d)"
    r"|(?:19|20)\d{2})"
)
_PRESENT = r"(?:present|current|currently|now|today|ongoing|date)"
_RANGE_RE = re.compile(
    rf"(?<![\w/])(?P<start>{_DATE})\s*(?:–|—|‒|―|-|to|until|till)\s*"
    rf"(?P<end>{_DATE}|{_PRESENT})(?![\w/])",
    re.IGNORECASE,
)
_TITLE_WORDS_RE = re.compile(
    r"\b(?:engineer|developer|scientist|analyst|manager|intern|internship|lead|director"
    r"|researcher|research|consultant|architect|head|specialist|annotator|designer"
    r"|founder|co-founder|cto|ceo|cfo|coo|vp|president|officer|associate|assistant"
    r"|trainer|evaluator|rater|reviewer|tutor|teacher|instructor|professor|lecturer"
    r"|administrator|contractor|freelancer|freelance|programmer|writer|editor|owner"
    r"|fellow|technician|coordinator|sre|devops|staff|principal|advisor|strategist"
    r"|member of technical staff|mts|swe|mle|labeler|linguist|tester|qa)\b",
    re.IGNORECASE,
)
_EMPLOYER_WORDS_RE = re.compile(
    r"\b(?:inc|corp|corporation|llc|ltd|gmbh|ag|sa|plc|co|company|labs?|university"
    r"|institute|technologies|systems|group|studio|bank|agency|foundation|college)\b\.?",
    re.IGNORECASE,
)
_STRONG_SEP_RE = re.compile(r"\s*(?:\t+|\s[|–—]\s|\s-\s|\s@\s|\sat\s)\s*")
_VERB_START_RE = re.compile(
    r"^(?:[A-Z][a-z]+ed|Built|Led|Ran|Wrote|Made|Drove|Grew|Cut|Won|Taught|Shipped"
    r"|Spearheaded|Own|Owned|Set|Rebuilt|Overhauled|Responsible|Helped|Worked|Assisted"
    r"|Supported|Participated|Involved|Handled|Did|Took|Began|Brought|Kept|Saw|Sped"
    r"|Mentor(?:ed)?|Design(?:ed)?|Develop(?:ed)?|Implement(?:ed)?)\b"
)

_NUMBER_RES = (
    re.compile(r"[$€£]\s?\d"),
    re.compile(r"\d\s?(?:%|percent\b|pp\b|bps\b)", re.IGNORECASE),
    re.compile(r"(?<![\w.])\d+(?:\.\d+)?\s?(?:x|k|m|mm|bn|b|ms|s|h|hrs?)\b", re.IGNORECASE),
    re.compile(
        r"\b(?:doubled|tripled|quadrupled|halved|two|three|four|five|six|seven|eight|nine"
        r"|ten|eleven|twelve|dozens?|hundreds|thousands|millions|billions)\b",
        re.IGNORECASE,
    ),
)
_PLAIN_NUMBER_RE = re.compile(r"(?<![A-Za-z0-9.\-/])(\d[\d,]*(?:\.\d+)?)(?![A-Za-z0-9])")
_YEAR_RE = re.compile(r"^(?:19|20)\d{2}$")
_OUTCOME_RE = re.compile(
    r"\b(?:reduc\w*|increas\w*|improv\w*|cut|cutting|sav(?:ed|ing|ings)|grew|grow(?:th|ing)"
    r"|boost\w*|raised|lower(?:ed|ing)|decreas\w*|accelerat\w*|sped\s+up|speed\s?up"
    r"|faster|doubled|tripled|quadrupled|halved|eliminat\w*|achiev\w*|exceed\w*"
    r"|outperform\w*|lift(?:ed)?|shorten\w*|minimi[sz]\w*|maximi[sz]\w*|optimi[sz]ed"
    r"|generat\w*\s+(?:\$|revenue|sales)|won|ranked|resulting\s+in|leading\s+to|led\s+to"
    r"|accuracy|precision|recall|f1|latency|throughput|revenue|costs?|uptime|agreement"
    r"|kappa|conversion|retention|engagement|error\s+rate|churn|satisfaction|nps|roi"
    r"|efficiency|productivity|win\s+rate|savings|profit|sales)\b"
    r"|\bfrom\s+\S+\s+to\s+\S+|\bby\s+[$€£]?\d",
    re.IGNORECASE,
)

# Naming the field ("machine learning", "LLMs") is not naming a tool or method: a bullet
# that only does that is still vague.
_GENERIC_SKILLS = frozenset(
    {
        "machine-learning",
        "deep-learning",
        "generative-ai",
        "llms",
        "data-analysis",
        "statistics",
        "nlp",
        "computer-vision",
        "ai-safety",
    }
)
# Bare forms that are ordinary words or letters in prose, accepted only as a whole item
# of a skills list ("Python, R, SQL").
_LIST_ONLY_FORMS = {
    "r": "r-language",
    "go": "golang",
    "c": "c-language",
    "julia": "julia",
    "swift": "swift",
    "ray": "anyscale-ray",
    "lightning": "pytorch-lightning",
    "agile": "agile",
    "cassandra": "cassandra",
    "gemma": "gemini",
    "dart": "flutter",
    "stan": "bayesian-methods",
    "mocha": "jest",
    "cypress": "playwright",
}
_LIST_SPLIT_RE = re.compile(r"\s*(?:[|,;•·/\t]|\band\b|\(|\))\s*")
_SEGMENT_SPLIT_RE = re.compile(r"\s*[|;•·\t]\s*")
_JUDGED_SECTIONS = frozenset({"experience", "projects"})


def analyse_text(text: str, *, taxonomy: Taxonomy, page_count: int = 1) -> ParsedResume:
    """Analyse plain text (one line per line): for pasted resumes and tests."""
    lines = [
        TextLine(text=unicodedata.normalize("NFKC", t), page=1, x0=_indent(t), top=float(n))
        for n, t in enumerate(text.splitlines())
        if t.strip()
    ]
    return analyse_lines(lines, taxonomy=taxonomy, page_count=page_count)


def _indent(text: str) -> float:
    return float(len(text) - len(text.lstrip()))


@dataclass
class _OpenBullet:
    parts: list[str]
    section: str
    x0: float
    text_x0: float


def analyse_lines(
    lines: Sequence[TextLine], *, taxonomy: Taxonomy, page_count: int
) -> ParsedResume:
    section = "other"
    section_lines: dict[str, list[str]] = {name: [] for name in SECTION_NAMES}
    units: list[tuple[str, str]] = []  # (section, text) where skills are looked for
    bullet_texts: list[tuple[str, str]] = []
    roles: list[Role] = []
    role_lines: list[str] = []
    recent_plain: list[str] = []
    incomplete_role: int | None = None
    current: _OpenBullet | None = None

    def close_bullet() -> None:
        nonlocal current
        if current is not None:
            text = " ".join(current.parts).strip()
            if text:
                bullet_texts.append((current.section, text))
                units.append((current.section, text))
            current = None

    for line in lines:
        raw = line.text.strip()
        if not raw or _PAGE_FOOTER_RE.match(raw):
            continue
        heading = _heading(raw)
        if heading is not None:
            close_bullet()
            section, rest = heading
            recent_plain, incomplete_role = [], None
            if rest:
                section_lines[section].append(rest)
                units.append((section, rest))
            continue

        bullet_match = _BULLET_RE.match(raw)
        is_bullet = line.glyph_bullet or (
            bullet_match is not None and bullet_match.end() < len(raw)
        )
        body = raw[bullet_match.end() :] if bullet_match else raw
        date_range = _RANGE_RE.search(raw) if section == "experience" else None

        if (
            not is_bullet
            and date_range is None
            and current is not None
            and _continues(line, raw, current)
        ):
            current.parts.append(raw)
            section_lines[section].append(raw)
            continue

        if not is_bullet and section in ("experience", "projects") and date_range is None:
            is_bullet = _reads_like_bullet(raw)

        if is_bullet:
            close_bullet()
            recent_plain, incomplete_role = [], None
            current = _OpenBullet([body], section, line.x0, line.x0 + 6)
            section_lines[section].append(f"• {body}")
            continue

        close_bullet()
        section_lines[section].append(raw)
        units.append((section, raw))
        if section != "experience":
            continue
        if date_range is not None:
            role, missing = _role_from_line(raw, date_range, recent_plain)
            roles.append(role)
            role_lines.append(raw)
            incomplete_role = len(roles) - 1 if missing else None
            recent_plain = []
        elif incomplete_role is not None and len(raw.split()) <= 10:
            roles[incomplete_role] = _fill_role(roles[incomplete_role], raw)
            incomplete_role = None
        else:
            recent_plain.append(raw)
    close_bullet()

    skills = _find_skills(units, taxonomy)
    found = {s.slug for s in skills}
    implied = sorted(taxonomy.with_ancestors(found) - found)
    bullets = [_judge_bullet(text, sec, taxonomy) for sec, text in bullet_texts]
    return ParsedResume(
        text="\n".join(line.text for line in lines),
        sections={name: "\n".join(section_lines[name]) for name in SECTION_NAMES},
        roles=roles,
        bullets=bullets,
        skills=skills,
        page_count=page_count,
        implied_skills=implied,
    )


def _reads_like_bullet(raw: str) -> bool:
    """An unmarked line that starts with an action verb ("Built ...", "Reduced ...")."""
    words = raw.split()
    if len(words) < 4 or not _VERB_START_RE.match(raw):
        return False
    # "Applied Research Scientist" starts like a verb but is a job title.
    return not (_TITLE_WORDS_RE.search(raw) and len(words) <= 6)


def _continues(line: TextLine, raw: str, bullet: _OpenBullet) -> bool:
    """Whether a plain line is the wrapped tail of the open bullet."""
    if _heading(raw) is not None:
        return False
    if raw[0].islower() or raw[0] in ",;:)&%":
        return True
    return line.x0 > bullet.x0 + 2


def _heading(raw: str) -> tuple[str, str] | None:
    text = raw.strip().strip("#=_-–—•*").strip()
    head, colon, rest = text.partition(":")
    if len(head) > 45:
        return None
    key = _heading_key(head)
    if key not in _HEADINGS:
        return None
    if rest.strip() and not colon:
        return None
    return _HEADINGS[key], rest.strip()


def _heading_key(text: str) -> str:
    words = re.sub(r"[^a-z& ]+", " ", text.lower()).replace("&", " and ").split()
    if len(words) > 2 and all(len(w) == 1 for w in words):  # "E X P E R I E N C E"
        words = ["".join(words)]
    return " ".join(words)


def _norm_date(value: str) -> str | None:
    v = value.strip().lower().rstrip(".")
    if re.fullmatch(_PRESENT, v):
        return "present"
    m = re.fullmatch(rf"({_MONTH})\s*,?\s*(\d{{4}}|'\d{{2}})", v)
    if m:
        month = _MONTHS[m.group(1)[:3]]
        year = m.group(2)
        year = f"20{year[1:]}" if year.startswith("'") else year
        return f"{year}-{month:02d}"
    m = re.fullmatch(r"(?:spring|summer|fall|autumn|winter)\s+(\d{4})", v)
    if m:
        return m.group(1)
    m = re.fullmatch(r"(\d{1,2})[/.](\d{4})", v)
    if m:
        return f"{m.group(2)}-{int(m.group(1)):02d}"
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})", v)
    if m:
        return f"{m.group(1)}-{int(m.group(2)):02d}"
    m = re.fullmatch(r"\d{4}", v)
    return v if m else None


def _role_from_line(
    raw: str, date_range: re.Match[str], recent_plain: list[str]
) -> tuple[Role, bool]:
    start = _norm_date(date_range.group("start"))
    end = _norm_date(date_range.group("end"))
    rest = raw[: date_range.start()] + "\t" + raw[date_range.end() :]
    rest = re.sub(r"[(\[]\s*[)\]]", " ", rest)
    rest = re.sub(r"[(\[]\s*\t|\t\s*[)\]]", "\t", rest)
    parts = _split_fields(rest)
    if len(parts) < 2 and recent_plain:
        parts = _split_fields(recent_plain[-1]) + parts
    title, employer = _assign_title_employer(parts)
    return Role(title=title, employer=employer, start=start, end=end), (
        title is None or employer is None
    )


def _split_fields(text: str) -> list[str]:
    pieces = _STRONG_SEP_RE.split(text)
    if len([p for p in pieces if _clean_field(p)]) < 2:
        pieces = re.split(r",\s+", text)
    return [c for c in (_clean_field(p) for p in pieces) if c]


def _clean_field(text: str) -> str:
    return text.strip().strip("|–—-,;:()[]•·").strip()


def _assign_title_employer(parts: list[str]) -> tuple[str | None, str | None]:
    parts = parts[:3]
    if not parts:
        return None, None
    title_idx = next((i for i, p in enumerate(parts) if _TITLE_WORDS_RE.search(p)), None)
    if title_idx is None:
        employer_idx = next((i for i, p in enumerate(parts) if _EMPLOYER_WORDS_RE.search(p)), None)
        if employer_idx is not None:
            others = [p for i, p in enumerate(parts) if i != employer_idx]
            return (others[0] if others else None), parts[employer_idx]
        title_idx = 0  # "Title, Employer" is the most common order
    others = [p for i, p in enumerate(parts) if i != title_idx]
    return parts[title_idx], (others[0] if others else None)


def _fill_role(role: Role, raw: str) -> Role:
    value = _clean_field(raw.split("\t")[0])
    if role.title is None:
        return Role(value, role.employer, role.start, role.end)
    if role.employer is None:
        if _TITLE_WORDS_RE.search(value) and not _TITLE_WORDS_RE.search(role.title):
            return Role(value, role.title, role.start, role.end)
        return Role(role.title, value, role.start, role.end)
    return role


def _find_skills(units: Iterable[tuple[str, str]], taxonomy: Taxonomy) -> list[FoundSkill]:
    counts: dict[str, int] = {}
    where: dict[str, list[str]] = {}
    for section, text in units:
        slugs: list[str] = []
        for segment in _SEGMENT_SPLIT_RE.split(text):
            slugs += [m.slug for m in taxonomy.find(segment)]
        if section == "skills":
            for item in _LIST_SPLIT_RE.split(text):
                slug = _LIST_ONLY_FORMS.get(item.strip().lower())
                if slug and slug in taxonomy and not taxonomy.find(item):
                    slugs.append(slug)
        for slug in slugs:
            counts[slug] = counts.get(slug, 0) + 1
            sections = where.setdefault(slug, [])
            if section not in sections:
                sections.append(section)
    result = []
    for slug, count in counts.items():
        entry = taxonomy.get(slug)
        result.append(FoundSkill(slug, entry.name, entry.kind, tuple(where[slug]), count))
    return result


def _has_number(text: str, taxonomy: Taxonomy) -> bool:
    if any(r.search(text) for r in _NUMBER_RES):
        return True
    for m in _PLAIN_NUMBER_RE.finditer(text):
        value = m.group(1).rstrip(",")
        if _YEAR_RE.match(value):
            continue  # "in 2021" dates the work, it does not measure it
        before = text[: m.start()].split()
        if before and taxonomy.lookup(before[-1]) is not None:
            continue  # a version ("Python 3.11"), not a result
        return True
    return False


def _judge_bullet(text: str, section: str, taxonomy: Taxonomy) -> Bullet:
    mentions = taxonomy.find_slugs(text)
    has_number = _has_number(text, taxonomy)
    has_outcome = bool(_OUTCOME_RE.search(text))
    if section not in _JUDGED_SECTIONS:
        return Bullet(text, section, has_number, False, None, has_outcome, tuple(mentions))
    named = any(slug not in _GENERIC_SKILLS for slug in mentions)
    vague = not (named or has_number or has_outcome)
    suggestion = _suggestion(text, named, has_number, has_outcome)
    return Bullet(text, section, has_number, vague, suggestion, has_outcome, tuple(mentions))


_TOOL_EXAMPLES = (
    (r"prompt|llm|chatbot|gpt|assistant", "e.g. few-shot prompting, GPT-4, LangChain"),
    (r"label|annotat|rater|rating", "e.g. Label Studio, Cohen's kappa, rubric design"),
    (r"eval|test|quality|review|judg", "e.g. rubric design, LLM-as-a-judge, A/B testing"),
    (r"model|machine|\bml\b|\bai\b|train|predict", "e.g. PyTorch, scikit-learn, fine-tuning"),
    (r"data|report|analy|dashboard", "e.g. SQL, pandas, Tableau"),
    (r"web|app|site|api|backend|frontend|service|feature", "e.g. Django, React, PostgreSQL"),
)


def _suggestion(text: str, named: bool, has_number: bool, has_outcome: bool) -> str | None:
    if named and has_number and has_outcome:
        return None
    if not (named or has_number or has_outcome):
        lower = text.lower()
        opener = ""
        if lower.startswith(("responsible for", "in charge of", "tasked with")):
            opener = "Start with what you did, not what you were responsible for; "
        elif lower.startswith(("helped", "assisted", "supported", "contributed")):
            opener = "Say what you did yourself; "
        elif lower.startswith(("worked on", "involved in", "participated", "was part of")):
            opener = "Say what you built or changed; "
        examples = next(
            (ex for pattern, ex in _TOOL_EXAMPLES if re.search(pattern, lower)),
            "e.g. Python, SQL, PyTorch",
        )
        text_out = (
            f"{opener}name the tool or method you used ({examples}), add a number "
            "(how many, how much or how fast) and state the outcome "
            "(what improved, by how much)."
        )
        return text_out[0].upper() + text_out[1:]
    if not has_number and not has_outcome:
        return (
            "Add the result and a number: what improved and by how much (e.g. 'cut latency 40%')."
        )
    if not has_outcome:
        return "Say what this achieved: what improved or changed as a result of the work."
    if not has_number:
        return "Put a number on the result: a percentage, a count, or time or money saved."
    return "Name the tool or method you used to get this result."
