// The interview room: Vetta's one page with real JavaScript.
//
// Two pages load this module. The device check (#device-check) asks for the camera and
// microphone, shows a live level meter and plays back a 5-second test recording. The room
// (#room) runs the interview: a countdown, then one question at a time, read aloud, with the
// answer recorded by MediaRecorder and uploaded when the candidate finishes or the per-answer
// cap is reached. The server owns every rule (clock, order, what counts); this page only
// shows what the server says and never loses a recording silently: the blob stays in memory
// until the server confirms it, uploads are retried with backoff, and a final failure says
// so and offers a retry and a copy to save.
//
// While the candidate speaks, the recording so far is also sent every few seconds as a
// draft (only the bytes the server hasn't confirmed), so the worker can transcribe the
// finished sentences before the answer ends and only the last seconds remain after
// "Finish answer". Drafts are best effort: a failed one is simply sent with the next, and
// the final upload of the whole recording stays the authority.

const RECORDER_TYPES = [
  "audio/webm;codecs=opus", // Chromium, Firefox
  "audio/mp4;codecs=mp4a.40.2", // Safari
  "audio/mp4",
  "audio/webm",
  "audio/ogg;codecs=opus",
];
const UPLOAD_BACKOFF_MS = [1000, 2000, 4000, 8000, 16000];
// Rejections of the recording itself: the question stays current and can be recorded again.
const RECORD_AGAIN_CODES = new Set([
  "not_audio", "type_mismatch", "too_large", "too_long", "truncated", "undecodable", "empty",
]);
const TEST_RECORDING_MS = 5000;
const DRAFT_EVERY_MS = 8000;
// Opus at 32 kb/s is plenty for speech (the server listens at 16 kHz) and keeps uploads small.
const AUDIO_BITS_PER_SECOND = 32000;

// --- small helpers -----------------------------------------------------------------------

const $ = (id) => document.getElementById(id);

function show(element, visible = true) {
  element.hidden = !visible;
}

function formatSeconds(total) {
  const s = Math.max(0, Math.ceil(total));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export function bestRecorderType() {
  if (typeof MediaRecorder === "undefined") return null;
  return RECORDER_TYPES.find((type) => MediaRecorder.isTypeSupported(type)) ?? "";
}

class RefusedError extends Error {
  constructor(status, body) {
    super(body.message || `The server refused the request (${status}).`);
    this.status = status;
    this.code = body.error || "refused";
  }
}

// One request to the room's API. Network failures and 5xx/429 answers are retried with
// backoff when `retries` allows; a 4xx refusal is thrown at once as a RefusedError.
async function api(url, { method = "GET", body, contentType, retries = 0, onRetry } = {}) {
  for (let attempt = 0; ; attempt += 1) {
    let response;
    try {
      const headers = { Accept: "application/json", "X-CSRFToken": csrfToken() };
      if (contentType) headers["Content-Type"] = contentType;
      response = await fetch(url, { method, body, headers, credentials: "same-origin" });
    } catch (networkError) {
      response = null;
    }
    if (response && response.status < 500 && response.status !== 429) {
      const data = await response.json().catch(() => ({}));
      if (!response.ok) throw new RefusedError(response.status, data);
      return data;
    }
    if (attempt >= retries) {
      throw new Error(response ? `The server answered ${response.status}.` : "No connection.");
    }
    onRetry?.(attempt + 1);
    await sleep(UPLOAD_BACKOFF_MS[Math.min(attempt, UPLOAD_BACKOFF_MS.length - 1)]);
  }
}

// A live level (0–1) of a microphone stream, through a Web Audio AnalyserNode.
function levelMeter(stream, meter) {
  const AudioContextClass = window.AudioContext || window.webkitAudioContext;
  if (!AudioContextClass || !meter) return { stop() {}, resume() {} };
  const context = new AudioContextClass();
  const analyser = context.createAnalyser();
  analyser.fftSize = 1024;
  context.createMediaStreamSource(stream).connect(analyser);
  const samples = new Float32Array(analyser.fftSize);
  let frame = 0;
  let peak = 0;
  const tick = () => {
    analyser.getFloatTimeDomainData(samples);
    let sum = 0;
    for (const v of samples) sum += v * v;
    const rms = Math.sqrt(sum / samples.length);
    // Speech RMS sits around 0.02–0.2; a square root spreads that over the meter.
    meter.value = Math.min(1, Math.sqrt(rms * 4));
    peak = Math.max(peak, meter.value);
    frame = requestAnimationFrame(tick);
  };
  tick();
  return {
    get peak() { return peak; },
    resume() { if (context.state === "suspended") context.resume(); },
    stop() { cancelAnimationFrame(frame); context.close(); },
  };
}

// Records one stream into a Blob; `stop()` resolves with it. With `draftUrl`, the recording
// so far is sent there every DRAFT_EVERY_MS as the bytes after the last confirmed one.
class AnswerRecorder {
  constructor(stream, type, { draftUrl = null } = {}) {
    this.type = type;
    this.chunks = [];
    const options = { audioBitsPerSecond: AUDIO_BITS_PER_SECOND };
    if (type) options.mimeType = type;
    this.recorder = new MediaRecorder(stream, options);
    this.recorder.addEventListener("dataavailable", (event) => {
      if (event.data.size) this.chunks.push(event.data);
    });
    this.stopped = new Promise((resolve) => {
      this.recorder.addEventListener("stop", () =>
        resolve(new Blob(this.chunks, { type: this.recorder.mimeType || this.type })),
      );
    });
    this.draft = draftUrl ? { url: draftUrl, confirmed: 0, busy: false } : null;
    this.draftTimer = null;
  }

  start() {
    this.recorder.start(1000);
    if (this.draft) this.draftTimer = setInterval(() => this.sendDraft(), DRAFT_EVERY_MS);
  }

  stop() {
    clearInterval(this.draftTimer);
    this.draft = null;
    if (this.recorder.state !== "inactive") this.recorder.stop();
    return this.stopped;
  }

  async sendDraft() {
    const draft = this.draft;
    if (!draft || draft.busy) return;
    const recorded = new Blob(this.chunks);
    if (recorded.size <= draft.confirmed) return;
    draft.busy = true;
    try {
      const response = await fetch(`${draft.url}?offset=${draft.confirmed}`, {
        method: "POST",
        body: recorded.slice(draft.confirmed),
        headers: {
          "Content-Type": this.recorder.mimeType || this.type || "",
          "X-CSRFToken": csrfToken(),
        },
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({}));
      // A gap answers with what the server has too: the next draft starts from there.
      if (Number.isInteger(data.received)) draft.confirmed = data.received;
      else if (response.status < 500) this.draft = null; // refused: the final upload will do
    } catch (networkError) {
      // Best effort: the next draft carries these bytes too.
    } finally {
      draft.busy = false;
    }
  }
}

// --- device check ------------------------------------------------------------------------

async function deviceCheck(root) {
  const micStatus = $("mic-status");
  const cameraStatus = $("camera-status");
  const testButton = $("test-record");
  const continueButton = $("device-continue");
  const fail = (text) => {
    $("device-error").textContent = text;
    show($("device-error"));
  };
  if (!navigator.mediaDevices?.getUserMedia || bestRecorderType() === null) {
    fail("This browser cannot record audio. Use a recent Chrome, Edge, Firefox or Safari.");
    return;
  }
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    $("camera-preview").srcObject = stream;
    cameraStatus.textContent = "Camera works. It is never recorded.";
    $("f-camera").value = "ok";
  } catch (error) {
    cameraStatus.textContent = "No camera available. That is fine: the interview records audio only.";
    $("f-camera").value = error.name || "unavailable";
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (micError) {
      micStatus.textContent = "No microphone access.";
      fail(
        micError.name === "NotAllowedError"
          ? "Your browser blocked the microphone. Allow it in the address bar, then reload this page."
          : "No microphone was found. Connect one, then reload this page.",
      );
      $("f-microphone").value = micError.name || "unavailable";
      return;
    }
  }
  const audioOnly = new MediaStream(stream.getAudioTracks());
  const meter = levelMeter(audioOnly, $("level-meter"));
  micStatus.textContent = "Microphone works. Speak and watch the bar.";
  $("f-microphone").value = "ok";
  testButton.disabled = false;

  testButton.addEventListener("click", async () => {
    meter.resume();
    testButton.disabled = true;
    const recorder = new AnswerRecorder(audioOnly, bestRecorderType());
    recorder.start();
    for (let left = TEST_RECORDING_MS / 1000; left > 0; left -= 1) {
      $("test-status").textContent = `Recording… ${left}`;
      await sleep(1000);
    }
    const blob = await recorder.stop();
    const player = $("test-playback");
    player.src = URL.createObjectURL(blob);
    show(player);
    $("test-status").textContent =
      "Listen to your test recording. If you cannot hear yourself clearly, check your microphone.";
    $("f-playback").value = "played";
    player.play().catch(() => {});
    testButton.disabled = false;
    testButton.textContent = "Record again";
    continueButton.disabled = false;
  });
  root.querySelector("form").addEventListener("submit", () => meter.stop());
}

// --- the room ----------------------------------------------------------------------------

class Room {
  constructor(root, config) {
    this.root = root;
    this.config = config;
    this.typed = config.typed;
    this.question = null;
    this.deadline = null; // performance.now() milliseconds when the attempt clock ends
    this.answerStartedAt = null;
    this.recorder = null;
    this.pending = null; // {questionId, blob | text} until the server confirms it
    this.phase = "idle"; // idle | listening | answering | uploading | waiting | done
    this.stream = null;
    this.meter = null;
    this.recorderType = this.typed ? null : bestRecorderType();
  }

  url(name, questionId) {
    return this.config.urls[name].replace("/questions/0/", `/questions/${questionId}/`);
  }

  async start() {
    this.bind();
    const state = await api(this.config.urls.state);
    this.setClock(state);
    if (state.state === "not_started") {
      show($("stage-ready"));
      return;
    }
    if (state.state !== "in_progress") {
      window.location.assign(this.config.urls.finished);
      return;
    }
    this.event("resumed", { hadQuestion: Boolean(state.question) });
    if (!(await this.openMicrophone())) return;
    await this.next();
  }

  bind() {
    $("begin").addEventListener("click", () => this.begin());
    $("finish-answer").addEventListener("click", () => this.finishClicked());
    $("skip-question").addEventListener("click", () => this.skip());
    $("retry-upload").addEventListener("click", () => this.upload());
    $("record-again").addEventListener("click", () => this.recordAgain());
    document.addEventListener("visibilitychange", () =>
      this.event(document.visibilityState === "hidden" ? "tab_hidden" : "tab_visible"),
    );
    window.addEventListener("blur", () => this.event("focus_lost"));
    window.addEventListener("focus", () => this.event("focus_back"));
    window.addEventListener("beforeunload", (event) => {
      if (this.pending || this.phase === "answering") event.preventDefault();
    });
    setInterval(() => this.tick(), 250);
  }

  // Integrity events are for staff only; losing one must never disturb the interview.
  event(kind, detail = {}) {
    if (!["listening", "answering", "uploading", "waiting"].includes(this.phase) && kind !== "resumed") {
      return;
    }
    const body = JSON.stringify({
      kind, detail, position: this.question?.position ?? null, at: new Date().toISOString(),
    });
    fetch(this.config.urls.events, {
      method: "POST",
      body,
      keepalive: true,
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
    }).catch(() => {});
  }

  setClock(data) {
    if (data.secondsLeft !== null && data.secondsLeft !== undefined) {
      this.deadline = performance.now() + data.secondsLeft * 1000;
    }
  }

  secondsLeft() {
    return this.deadline === null ? this.config.totalS : (this.deadline - performance.now()) / 1000;
  }

  async openMicrophone() {
    if (this.typed) return true;
    try {
      this.stream = await navigator.mediaDevices.getUserMedia({ audio: true });
    } catch (error) {
      this.fail("The microphone is not available. Allow it in the address bar and reload this page; your interview clock keeps running.");
      return false;
    }
    this.meter = levelMeter(this.stream, $("room-level"));
    return true;
  }

  async begin() {
    $("begin").disabled = true;
    this.clearError();
    if (!(await this.openMicrophone())) {
      $("begin").disabled = false;
      return;
    }
    this.meter?.resume();
    // Speaking needs a user gesture in some browsers: an empty utterance unlocks it now.
    window.speechSynthesis?.speak(new SpeechSynthesisUtterance(""));
    show($("stage-ready"), false);
    show($("stage-countdown"));
    for (const n of [3, 2, 1]) {
      $("countdown-number").textContent = String(n);
      await sleep(1000);
    }
    try {
      this.setClock(await api(this.config.urls.begin, { method: "POST", retries: 3 }));
    } catch (error) {
      show($("stage-countdown"), false);
      show($("stage-ready"));
      $("begin").disabled = false;
      this.fail(error.message);
      return;
    }
    show($("stage-countdown"), false);
    await this.next();
  }

  // Ask the server for the question to answer now, waiting while the last answer is scored.
  async next() {
    this.phase = "waiting";
    show($("stage-question"), false);
    show($("stage-waiting"));
    for (;;) {
      let data;
      try {
        data = await api(this.config.urls.next, { method: "POST", retries: 5 });
      } catch (error) {
        this.fail(`${error.message} We could not load the next question; reload this page to continue.`);
        return;
      }
      this.setClock(data);
      if (data.status === "finished") {
        this.phase = "done";
        window.location.assign(data.redirect);
        return;
      }
      if (data.status === "question") {
        this.showQuestion(data.question);
        return;
      }
      await sleep(Math.max(250, data.retryAfterS * 1000));
    }
  }

  showQuestion(question) {
    this.question = question;
    this.answerStartedAt = null;
    show($("stage-waiting"), false);
    show($("stage-question"));
    $("room-progress").textContent = `Question ${question.position} of ${question.count}`;
    $("question-category").textContent = question.category;
    $("question-text").textContent = question.text;
    $("question-text").focus();
    $("answer-elapsed").textContent = "0:00";
    $("answer-target").textContent = formatSeconds(this.config.answerTargetS);
    $("answer-cap").textContent = formatSeconds(this.config.answerCapS);
    $("target-mark").style.left = `${(100 * this.config.answerTargetS) / this.config.answerCapS}%`;
    $("answer-progress").value = 0;
    $("skip-question").disabled = false;
    if (this.typed) {
      $("typed-answer").value = "";
      this.startAnswer();
      return;
    }
    this.phase = "listening";
    this.setStatus("Listening to the question…", "");
    $("finish-answer").textContent = "Start answering now";
    $("finish-answer").disabled = false;
    this.speak(question.text).then(() => {
      if (this.phase === "listening" && this.question === question) this.startAnswer();
    });
  }

  // Resolves when the question has been read aloud, or at once without a voice to read it.
  speak(text) {
    const synth = window.speechSynthesis;
    if (!synth || synth.getVoices().length === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const utterance = new SpeechSynthesisUtterance(text);
      utterance.lang = "en-GB";
      utterance.rate = 1;
      // Some engines never send "end": give up after a generous reading time.
      const timer = setTimeout(resolve, 2000 + text.split(/\s+/).length * 500);
      const done = () => { clearTimeout(timer); resolve(); };
      utterance.addEventListener("end", done);
      utterance.addEventListener("error", done);
      synth.cancel();
      synth.speak(utterance);
    });
  }

  startAnswer() {
    window.speechSynthesis?.cancel();
    this.clearError();
    this.answerStartedAt = performance.now();
    this.phase = "answering";
    $("finish-answer").textContent = "Finish answer";
    $("finish-answer").disabled = false;
    if (this.typed) {
      this.setStatus("Type your answer", "recording");
      $("typed-answer").focus();
      return;
    }
    this.recorder = new AnswerRecorder(this.stream, this.recorderType, {
      draftUrl: this.url("draft", this.question.id),
    });
    this.recorder.start();
    this.setStatus("Recording", "recording");
  }

  setStatus(text, kind) {
    const status = $("answer-status");
    status.textContent = text;
    status.className = `badge ${kind}`;
  }

  finishClicked() {
    if (this.phase === "listening") this.startAnswer();
    else if (this.phase === "answering") this.finishAnswer();
  }

  async finishAnswer() {
    if (this.phase !== "answering") return;
    this.phase = "uploading";
    $("finish-answer").disabled = true;
    $("skip-question").disabled = true;
    this.setStatus("Sending your answer…", "");
    const questionId = this.question.id;
    if (this.typed) {
      this.pending = { questionId, text: $("typed-answer").value };
    } else {
      this.pending = { questionId, blob: await this.recorder.stop() };
      this.recorder = null;
    }
    await this.upload();
  }

  async upload() {
    const pending = this.pending;
    if (!pending) return;
    this.clearError();
    this.phase = "uploading";
    const options = pending.blob
      ? { body: pending.blob, contentType: pending.blob.type || this.recorderType || "" }
      : { body: JSON.stringify({ text: pending.text }), contentType: "application/json" };
    try {
      const data = await api(this.url("answer", pending.questionId), {
        method: "POST",
        retries: UPLOAD_BACKOFF_MS.length,
        onRetry: (n) => {
          this.setStatus(`Connection problem, retrying (${n})…`, "warning");
          this.event("upload_retry", { attempt: n });
        },
        ...options,
      });
      this.setClock(data);
    } catch (error) {
      if (error instanceof RefusedError && error.code === "already_answered") {
        // An earlier try reached the server before the connection dropped: it has the answer.
      } else if (error instanceof RefusedError && RECORD_AGAIN_CODES.has(error.code)) {
        this.pending = null;
        this.phase = "rejected";
        this.fail(error.message, { recordAgain: true });
        return;
      } else if (error instanceof RefusedError) {
        // The server moved on (clock over, question no longer current): follow it.
        this.pending = null;
        this.fail(error.message);
        await sleep(2500);
        await this.next();
        return;
      } else {
        this.phase = "upload_failed";
        this.setStatus("Not sent", "warning");
        this.fail(
          "We could not send your answer: the connection failed. Your recording is kept in this tab. Check your connection, then try the upload again.",
          { retry: true, copy: pending.blob },
        );
        return;
      }
    }
    this.pending = null;
    await this.next();
  }

  recordAgain() {
    this.clearError();
    this.phase = "listening";
    $("skip-question").disabled = false;
    this.startAnswer();
  }

  async skip() {
    if (!this.question || !["listening", "answering", "rejected"].includes(this.phase)) return;
    if (!window.confirm("Skip this question? A skipped question scores zero, and you cannot come back to it.")) {
      return;
    }
    this.phase = "uploading";
    window.speechSynthesis?.cancel();
    await this.recorder?.stop();
    this.recorder = null;
    try {
      await api(this.url("skip", this.question.id), { method: "POST", retries: 5 });
    } catch (error) {
      if (!(error instanceof RefusedError)) {
        this.phase = "answering";
        this.fail(`${error.message} The question was not skipped; try again.`);
        return;
      }
    }
    await this.next();
  }

  tick() {
    const left = this.secondsLeft();
    $("attempt-clock").textContent = formatSeconds(left);
    $("attempt-clock").classList.toggle("clock-low", left < 120);
    if (this.phase === "answering" && this.answerStartedAt !== null) {
      const elapsed = (performance.now() - this.answerStartedAt) / 1000;
      $("answer-elapsed").textContent = formatSeconds(elapsed);
      $("answer-progress").value = Math.min(elapsed, this.config.answerCapS);
      $("answer-progress").classList.toggle("over-target", elapsed > this.config.answerTargetS);
      if (elapsed >= this.config.answerCapS) {
        this.finishAnswer();
        return;
      }
    }
    if (this.deadline !== null && left <= 0) {
      if (this.phase === "answering") this.finishAnswer();
      else if (this.phase === "listening") this.next();
    }
  }

  fail(text, { retry = false, recordAgain = false, copy = null } = {}) {
    $("room-error-text").textContent = text;
    show($("retry-upload"), retry);
    show($("record-again"), recordAgain);
    const link = $("save-copy");
    if (copy) {
      link.href = URL.createObjectURL(copy);
      link.download = `answer-${this.question?.position ?? "x"}.${copy.type.includes("mp4") ? "m4a" : "webm"}`;
    }
    show(link, Boolean(copy));
    show($("room-error"));
  }

  clearError() {
    show($("room-error"), false);
  }
}

// --- entry -------------------------------------------------------------------------------

const deviceRoot = $("device-check");
if (deviceRoot && deviceRoot.dataset.typed !== "true") deviceCheck(deviceRoot);

const roomRoot = $("room");
if (roomRoot) {
  const room = new Room(roomRoot, JSON.parse($("room-config").textContent));
  window.vettaRoom = room; // for the browser tests and for support sessions
  room.start().catch((error) => room.fail(`${error.message} Reload this page to continue.`));
}
