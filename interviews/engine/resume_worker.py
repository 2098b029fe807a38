"""The child process that parses one resume PDF under hard limits.

Started by ``interviews.engine.resume.parse_resume_bytes``; reads a pickled request on
stdin (from the trusted parent) and writes one JSON answer on stdout:
``{"ok": true, "result": {...}}`` or ``{"ok": false, "code": "<rejection code>"}``.
Limits are set before the PDF is touched, so a hostile file meets them, not the caller.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import pickle
import resource
import sys
from collections.abc import Sequence
from typing import Any


def _apply_limits(memory_mb: int, cpu_s: int) -> None:
    address_space = memory_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        address_space = min(address_space, hard)
    resource.setrlimit(resource.RLIMIT_AS, (address_space, address_space))
    # SIGXCPU at the soft limit ends a parser spinning in a loop even if nobody kills it.
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    cpu_hard = cpu_s + 2 if hard == resource.RLIM_INFINITY else min(cpu_s + 2, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (min(cpu_s, cpu_hard), cpu_hard))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


# The smallest PDF with a line of Helvetica text: parsing it loads pdfminer's lazily
# imported modules, font metrics and encodings before a real file arrives.
_WARM_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 612 792]/Contents 4 0 R"
    b"/Resources<</Font<</F1 5 0 R>>>>>>endobj\n"
    b"4 0 obj<</Length 60>>stream\nBT /F1 12 Tf 72 700 Td (Python and SQL warm up text) Tj ET\n"
    b"endstream endobj\n5 0 obj<</Type/Font/Subtype/Type1/BaseFont/Helvetica>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _warm_caches() -> None:
    from interviews.engine.resume import ResumeRejected, _extract, analyse_text
    from interviews.engine.taxonomy import Taxonomy

    with contextlib.suppress(ResumeRejected):
        _extract(_WARM_PDF)
    analyse_text("Experience\nEngineer, Acme, 2020 - 2021\n• Cut costs 10%.", taxonomy=Taxonomy({}))


def _answer(payload: dict[str, Any]) -> None:
    sys.stdout.buffer.write(json.dumps(payload).encode("utf-8"))
    sys.stdout.buffer.flush()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="resume_worker")
    parser.add_argument("--memory-mb", type=int, default=512)
    parser.add_argument("--cpu-s", type=int, default=11)
    parser.add_argument("--warm", action="store_true", help="prepare while waiting for input")
    args = parser.parse_args(argv)
    _apply_limits(args.memory_mb, args.cpu_s)

    try:
        # Imported under the limits: pdfminer's import cost counts against them too.
        from interviews.engine.resume import ResumeRejected, _parse_in_process
    except MemoryError:
        _answer({"ok": False, "code": "too_much_memory"})
        return 0
    if args.warm:
        _warm_caches()

    raw = sys.stdin.buffer.read()
    if not raw:
        return 0  # a spare worker whose parent went away without using it
    request = pickle.loads(raw)
    try:
        parsed = _parse_in_process(
            request["data"],
            taxonomy=pickle.loads(request["taxonomy"]),
            max_pages=request["max_pages"],
        )
    except ResumeRejected as exc:
        _answer({"ok": False, "code": exc.code})
        return 0
    except MemoryError:
        _answer({"ok": False, "code": "too_much_memory"})
        return 0
    except RecursionError:
        _answer({"ok": False, "code": "malformed"})
        return 0
    except Exception as exc:  # any other parser failure means the file is unreadable
        print(f"resume worker: {type(exc).__name__}: {exc}"[:500], file=sys.stderr)
        _answer({"ok": False, "code": "malformed"})
        return 0
    _answer({"ok": True, "result": parsed.to_dict()})
    return 0


if __name__ == "__main__":
    sys.exit(main())
