"""The OpenAI backends against a local fake endpoint: success and every fallback."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from interviews.engine.bank import load_bank
from interviews.engine.openai_backend import OpenAIConfig, OpenAIGrader, OpenAIInterviewer, redact
from interviews.engine.plan import make_plan
from interviews.engine.types import AnswerInput, ResumeFacts, Role
from tests.interviews.engine_helpers import small_taxonomy

GOOD_GRADE = {
    "technical_accuracy": 88,
    "coherence": 80,
    "concepts_covered": ["examples in the prompt"],
    "factual_errors": [],
    "rationale": "Correct and specific.",
}
GOOD_QUESTION = {
    "text": "Since you built the fraud model, how did you choose its decision threshold?",
    "expected_concepts": ["precision recall curve", "cost of errors"],
}


class FakeChat(BaseHTTPRequestHandler):
    mode = "ok"
    reply: dict = GOOD_GRADE
    requests: list[dict] = []

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}")
        type(self).requests.append(body)
        if self.path != "/v1/chat/completions":
            self._send(404, {"error": {"message": "not found"}})
            return
        if self.mode == "sleep":
            time.sleep(1.5)
        if self.mode == "500":
            self._send(500, {"error": {"message": "boom"}})
            return
        content = "{not json" if self.mode == "malformed" else json.dumps(self.reply)
        if self.mode == "schema":
            content = json.dumps({"technical_accuracy": "high"})
        self._send(
            200,
            {
                "id": "cmpl-1",
                "object": "chat.completion",
                "created": 0,
                "model": body.get("model", "m"),
                "choices": [
                    {
                        "index": 0,
                        "finish_reason": "stop",
                        "message": {"role": "assistant", "content": content},
                    }
                ],
            },
        )

    def _send(self, status: int, payload: dict) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up after its timeout: that is the point of the test


@pytest.fixture
def server() -> Iterator[tuple[str, type[FakeChat]]]:
    handler = type("Handler", (FakeChat,), {"mode": "ok", "reply": GOOD_GRADE, "requests": []})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}/v1", handler
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)


ANSWER = AnswerInput(
    question="What is few-shot prompting?",
    category="technical",
    transcript=(
        "Few-shot prompting puts a handful of input-output examples in the prompt so the model "
        "infers the task without weight updates. Mail me at jane.doe@example.com or call "
        "+1 415 555 0100, or see https://janedoe.dev/portfolio - Jane Doe."
    ),
    duration_s=30,
)


def grader(base_url: str, timeout_s: float = 2.0) -> OpenAIGrader:
    config = OpenAIConfig(base_url=base_url, model="test-model", api_key="k", timeout_s=timeout_s)
    return OpenAIGrader(config, candidate_names=("Jane Doe",))


def test_grader_success_records_the_openai_backend_and_redacts(server):
    url, handler = server
    result = grader(url).grade(ANSWER, taxonomy=small_taxonomy())
    assert result.backend == "openai:test-model"
    assert "fallback_reason" not in result.evidence
    assert result.evidence["llm"]["technical_accuracy"] == 88
    sent = json.dumps(handler.requests[-1])
    for secret in ("jane.doe@example.com", "415 555 0100", "janedoe.dev", "Jane", "Doe"):
        assert secret not in sent
    assert "[email]" in sent and "[phone]" in sent and "[url]" in sent
    assert handler.requests[-1]["response_format"]["type"] == "json_schema"


@pytest.mark.parametrize(
    ("mode", "reason"),
    [("malformed", "malformed json"), ("500", "http 500"), ("schema", "schema")],
)
def test_grader_falls_back_to_builtin(server, mode, reason):
    url, handler = server
    handler.mode = mode
    result = grader(url).grade(ANSWER, taxonomy=small_taxonomy())
    assert result.backend == "builtin"
    assert reason in result.evidence["fallback_reason"]
    assert result.evidence["attempted_backend"] == "openai:test-model"
    assert result.overall > 0


def test_grader_falls_back_on_timeout_within_the_bound(server):
    url, handler = server
    handler.mode = "sleep"
    start = time.perf_counter()
    result = grader(url, timeout_s=0.5).grade(ANSWER, taxonomy=small_taxonomy())
    assert time.perf_counter() - start < 1.4
    assert result.backend == "builtin"
    assert result.evidence["fallback_reason"] == "timeout"


def test_grader_falls_back_when_nothing_listens():
    result = grader("http://127.0.0.1:9/v1", timeout_s=0.5).grade(ANSWER, taxonomy=small_taxonomy())
    assert result.backend == "builtin"
    assert result.evidence["fallback_reason"]


RESUME = ResumeFacts(
    roles=(Role(title="ML Engineer", employer="Northwind"),), candidate_name="Jane Doe"
)


def ask(base_url: str, timeout_s: float = 2.0):
    config = OpenAIConfig(base_url=base_url, model="test-model", timeout_s=timeout_s)
    interviewer = OpenAIInterviewer(config)
    plan = make_plan(domain="machine_learning", resume=RESUME, seed=1)
    q = interviewer.next_question(
        plan=plan,
        bank=load_bank("machine_learning"),
        resume=RESUME,
        history=[],
        seen_question_ids=set(),
        seed=1,
        answer_texts=["I am Jane Doe, jane@example.com"],
    )
    return interviewer, q


def test_interviewer_success_words_the_question(server):
    url, handler = server
    handler.reply = GOOD_QUESTION
    _interviewer, q = ask(url)
    assert q is not None
    assert q.backend == "openai:test-model"
    assert q.text == GOOD_QUESTION["text"]
    assert "cost of errors" in q.expected_concepts
    sent = json.dumps(handler.requests[-1])
    assert "Jane" not in sent and "jane@example.com" not in sent


@pytest.mark.parametrize("mode", ["malformed", "500", "sleep"])
def test_interviewer_falls_back_to_builtin(server, mode):
    url, handler = server
    handler.mode = mode
    handler.reply = GOOD_QUESTION
    interviewer, q = ask(url, timeout_s=0.5)
    assert q is not None
    assert q.backend == "builtin"
    assert "fallback to builtin" in q.reason
    assert interviewer.last_fallback_reason


def test_redact_keeps_the_technical_content():
    text = redact("Email a@b.io, I used PyTorch 2.1 on 3 GPUs. Call 020 7946 0958.")
    assert "PyTorch 2.1 on 3 GPUs" in text
    assert "a@b.io" not in text and "7946" not in text
