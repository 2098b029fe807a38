"""The built-in, rule-based grader: four sub-scores with the evidence that produced them.

It judges what was said as much as how: relevance to the question gates technical
accuracy, so a fluent answer to a different question cannot score well, and buzzword
lists, generic phrasing, hedging and confident misconceptions cost points. Everything is
deterministic and plain Python so every score can be recomputed from the stored answer.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

from interviews.engine.taxonomy import Taxonomy, default_taxonomy
from interviews.engine.types import (
    BUILTIN_BACKEND,
    AnswerInput,
    BankQuestion,
    ScoreResult,
    SubScore,
)

RUBRIC_VERSION = "builtin-2026.11.2"


def _wordset(words: str) -> frozenset[str]:
    return frozenset(words.split())


WEIGHTS = {"technical_accuracy": 0.45, "coherence": 0.25, "conciseness": 0.15, "fluency": 0.15}
TARGET_SECONDS = 90.0
PENALTY_AFTER_SECONDS = 120.0
# Used to estimate a duration when none was recorded (typed answers, imports).
WORDS_PER_MINUTE = 150.0
LONG_PAUSE_S = 2.0


class Grader(Protocol):
    def grade(self, answer: AnswerInput, *, taxonomy: Taxonomy | None = None) -> ScoreResult: ...


# ---------------------------------------------------------------------------------------
# Text basics
# ---------------------------------------------------------------------------------------
_WORD_RE = re.compile(r"[a-z0-9]+(?:[.'][a-z0-9]+)*")
_SENT_SPLIT_RE = re.compile(r"(?<=[.!?])\s+|\n+")

STOPWORDS = _wordset(
    """a about above after again against all also am an and any are aren't as at be because
    been before being below between both but by can can't cannot could couldn't did didn't do
    does doesn't doing don't down during each either else even ever every few for from further
    had hadn't has hasn't have haven't having he her here hers herself him himself his how i
    i'd i'll i'm i've if in into is isn't it it's its itself just let's me might more most
    much must mustn't my myself no nor not now of off on once one only or other ought our ours
    ourselves out over own per rather really same shall she should shouldn't so some such than
    that that's the their theirs them themselves then there there's these they they'd they're
    they've this those though through thus to too toward under until up upon us very via was
    wasn't we we'd we're we've were weren't what what's when where which while who whom whose
    why will with within without won't would wouldn't yet you you'd you'll you're you've your
    yours yourself yourselves get got gets getting still since well yes yeah okay ok oh
    um uh er erm hmm ah like"""
)

# Words that make up the question's frame rather than its topic.
QUESTION_FRAME = _wordset(
    """what which how why when where who describe explain tell talk walk me us through
    give example examples time times would you your yours do does did is are was were
    difference differences between good make makes made use used using approach handle
    handled think way ways go about some one thing things situation case cases kind
    role listed list mentioned resume cv work worked working project projects did
    best main key important common typical usually often something someone could
    can should decide choose chose pick picked want wanted need new last recent recently
    took take taken takes had have gave give nobody anyone everyone else tried try"""
)

FILLER_WORDS = frozenset({"um", "uh", "er", "erm", "hmm", "uhm", "ah", "mm"})
FILLER_PHRASES = ("you know", "i mean")
HEDGES = (
    "i think",
    "i guess",
    "maybe",
    "sort of",
    "kind of",
    "probably",
    "i'm not sure",
    "im not sure",
    "not sure",
    "i believe",
    "perhaps",
    "i suppose",
    "more or less",
    "or something",
    "i don't remember",
    "don't really know",
    "i'd say",
    "possibly",
    "somewhat",
    "hopefully",
    "i feel like",
    "if i remember",
)
GENERIC_PHRASES = (
    "align stakeholders",
    "aligning stakeholders",
    "align with stakeholders",
    "communicate clearly",
    "clear communication",
    "communication is key",
    "communication is really important",
    "communication is important",
    "teamwork",
    "team player",
    "various",
    "things",
    "stuff",
    "etc",
    "and so on",
    "best practices",
    "synergy",
    "synergies",
    "leverage",
    "it depends",
    "depends on the project",
    "depends on the situation",
    "at the end of the day",
    "think outside the box",
    "hard work",
    "work hard",
    "passionate",
    "do my best",
    "always try",
    "make sure everything",
    "make sure things",
    "the right way",
    "as needed",
    "in general",
    "a lot of",
    "lots of",
    "cutting edge",
    "cutting-edge",
    "state of the art",
    "world class",
    "end to end",
    "holistic",
    "robust",
    "scalable solutions",
    "add value",
    "value add",
    "moving forward",
    "going forward",
    "on the same page",
    "stay calm",
    "be flexible",
    "keep everyone",
    "everyone happy",
    "get things done",
    "high quality",
    "good results",
    "work well",
    "handle it",
    "figure it out",
    "figure things out",
    "whatever works",
    "the usual",
    "all the time",
)
PADDING_PHRASES = (
    "to be honest",
    "honestly",
    "at the end of the day",
    "as i said",
    "like i said",
    "as i mentioned",
    "basically",
    "in terms of",
    "you know what i mean",
    "so yeah",
    "anyway",
    "anyways",
    "if that makes sense",
    "that's a great question",
    "great question",
    "good question",
    "let me think",
    "needless to say",
    "long story short",
    "by the way",
    "where was i",
    "going back to",
    "i would say that",
    "the thing is",
    "all that stuff",
    "and stuff like that",
    "and all that",
    "what else",
    "oh and",
)
# Confident universals are where wrong answers live ("always", "guarantees", "no need").
OVERCLAIMS = (
    "always",
    "never",
    "guarantee",
    "guarantees",
    "guaranteed",
    "completely",
    "perfectly",
    "perfect",
    "no need",
    "don't need",
    "doesn't need",
    "not needed",
    "doesn't matter",
    "does not matter",
    "don't matter",
    "impossible",
    "all you need",
    "the only",
    "only thing",
    "eliminates",
    "eliminate",
    "any model",
    "every case",
    "all cases",
    "no difference",
    "the same thing",
    "basically the same",
    "exactly the same",
    "obviously",
    "100 percent",
    "100%",
    "solves",
    "fixes everything",
    "no downside",
    "no downsides",
    "no trade-off",
    "no tradeoff",
    "can't go wrong",
    "nothing else",
    "just more data",
    "just add more",
    "just use",
    "simply",
    "automatically",
    # Epistemic boosters: certainty the claim does not earn ("definitely", "proves").
    "definitely",
    "certainly",
    "undoubtedly",
    "unquestionably",
    "without a doubt",
    "no doubt",
    "of course",
    "proves",
    "proven",
    "fully solved",
)
# Restrictive universals: "X can only happen when", "only works for", "is really only useful".
_RESTRICTIVE_RE = re.compile(
    r"\b(?:can|could|will|would|does|do|is|are|works?|happens?|applies|matters?)\s+only\b"
    r"|\bonly\s+(?:works?|happens?|applies|matters?)\b|\breally only\b"
)
# Quoted instructions or sayings ('always answer in JSON') are not the speaker's own claims.
_QUOTED_RE = re.compile(r"(?<![a-z])'[^']{3,120}'(?![a-z])|\"[^\"]{3,120}\"")


def _unquoted(text: str) -> str:
    return _QUOTED_RE.sub(" ", _norm_quotes(text))


# Common misconceptions in the four domains, as (pattern, what is wrong). Patterns are
# checked against the lower-cased answer; they describe claims, not topics, so a correct
# answer that merely mentions the same words does not trip them.
MISCONCEPTIONS: tuple[tuple[str, str], ...] = (
    (
        r"temperature (?:of )?(?:0|zero)\b[^.]{0,60}\b(?:random|creative|divers)",
        "temperature 0 random",
    ),
    (
        r"higher temperature[^.]{0,60}\b(?:determinis|consistent|less random|accura)",
        "high temp determinism",
    ),
    (r"(?:lower|low) temperature[^.]{0,60}\bmore (?:random|creative|divers)", "low temp random"),
    (
        r"overfitting[^.]{0,40}\b(?:too simple|underfit|not complex enough|too little capacity)",
        "overfit=simple",
    ),
    (r"underfitting[^.]{0,40}\b(?:memori[sz]|too complex)", "underfit=memorise"),
    (r"(?:tune|tuning|choose|select)[^.]{0,40}\bon the test set", "tuning on test set"),
    (r"test set[^.]{0,40}\b(?:tune|tuning|pick the best|select hyper)", "tuning on test set"),
    (r"accuracy is (?:the best|all you need|enough|the right metric)", "accuracy suffices"),
    (
        r"precision (?:is|measures)[^.]{0,60}\b(?:actual positives|all positives|how many .{0,20} found)",  # noqa: E501
        "precision/recall swapped",
    ),
    (
        r"recall (?:is|measures)[^.]{0,60}\b(?:predicted positives|of the predictions)",
        "recall/precision swapped",
    ),
    (
        r"few[- ]shot[^.]{0,60}\b(?:updat\w* (?:the )?weights|retrain|fine[- ]tun\w* the model)",
        "few-shot updates weights",
    ),
    (
        r"(?:rag|retrieval)[^.]{0,60}\b(?:retrain|updates? the weights|fine[- ]tun\w* the model on)",  # noqa: E501
        "rag retrains",
    ),
    (
        r"(?:llm|judge|model)[^.]{0,40}\b(?:has no bias|is unbiased|is objective|no bias)",
        "judge unbiased",
    ),
    (r"(?:bleu|rouge)[^.]{0,60}\b(?:factual|truth|correctness|meaning)", "bleu measures facts"),
    (
        r"dropout[^.]{0,60}\b(?:at inference|during inference|at test time)[^.]{0,30}\b(?:more|better|improv)",  # noqa: E501
        "dropout at inference",
    ),
    (
        r"(?:more|bigger|larger) (?:model|parameters)[^.]{0,30}\b(?:always|guarantee)",
        "bigger always better",
    ),
    (r"(?:more data)[^.]{0,30}\b(?:always|guarantee|fixes)", "more data always"),
    (
        r"gradient descent[^.]{0,60}\b(?:global (?:minimum|optimum) (?:always|every time|guaranteed))",  # noqa: E501
        "gd global min",
    ),
    (
        r"learning rate[^.]{0,40}\b(?:doesn't matter|does not matter|higher is (?:always )?better)",
        "lr irrelevant",
    ),
    (
        r"(?:unit tests?|tests?)[^.]{0,40}\b(?:prove|guarantee)[^.]{0,20}\b(?:no bugs|correct|bug[- ]free)",  # noqa: E501
        "tests prove correctness",
    ),
    (
        r"(?:index|indexes|indices)[^.]{0,40}\b(?:always (?:make|speed)|no cost|no downside|free)",
        "indexes free",
    ),
    (r"(?:big ?o|o\(n\))[^.]{0,40}\b(?:exact|seconds|runtime in)", "big-o exact time"),
    (r"(?:mutex|lock)[^.]{0,40}\b(?:makes? (?:it|code) faster|speeds? up)", "locks speed up"),
    (
        r"(?:hash ?map|dictionary|hash table)[^.]{0,40}\b(?:sorted|o\(n\) lookup|linear lookup)",
        "hashmap sorted",
    ),
    (
        r"(?:inter[- ]annotator|agreement|kappa)[^.]{0,40}\b(?:doesn't matter|not needed|waste)",
        "agreement useless",
    ),
    (
        r"(?:a single|one) (?:annotator|rater)[^.]{0,40}\b(?:enough|is fine|suffices)",
        "one annotator enough",
    ),
    (
        r"(?:hallucinat\w*)[^.]{0,40}\b(?:solved|fixed|eliminat\w*|never happen)",
        "hallucinations solved",
    ),
    (
        r"chain[- ]of[- ]thought[^.]{0,60}\b(?:always|guarantee|fine[- ]tun|retrain)",
        "cot misconception",
    ),
    (
        r"(?:cross[- ]validation)[^.]{0,60}\b(?:test set|replaces? the test|no need for)",
        "cv replaces test",
    ),
    (
        r"(?:normali[sz]\w*|standardi[sz]\w*)[^.]{0,40}\bbefore (?:the )?split",
        "leakage via scaling",
    ),
    (
        r"(?:eval|evaluate|evaluation)[^.]{0,40}\bon the training (?:data|set)[^.]{0,30}\b(?:fine|enough|good)",  # noqa: E501
        "eval on train",
    ),
)

# Words whose presence means a cause, a condition or a contrast: the texture of an explanation.
MECHANISM_WORDS = _wordset(
    """because so which by when if then instead unless whereas while therefore means
    since otherwise than versus vs tradeoff trade trade-off but however although whether
    until after before each per"""
)
SPECIFIC_CUES = (
    "for example",
    "for instance",
    "e.g.",
    "such as",
    "in production",
    "we measured",
    "i measured",
    "on my last",
    "at my last",
    "in my last",
    "last quarter",
    "last year",
    "that meant",
    "which meant",
    "for each",
    "per ",
)
NUMBER_WORDS = _wordset(
    """two three four five six seven eight nine ten eleven twelve fifteen twenty thirty
    forty fifty sixty hundred hundreds thousand thousands million millions billion half
    quarter dozen double twice triple percent weekly daily hourly monthly"""
)

# Small topic clusters: an answer about an outage answers "an incident" without the word.
# Keys and members are matched after stemming.
TOPIC_CLUSTERS: dict[str, tuple[str, ...]] = {
    "incident": (
        "outage",
        "down",
        "on call",
        "on-call",
        "postmortem",
        "post-mortem",
        "rollback",
        "rolled back",
        "alert",
        "pager",
        "sev",
        "broke",
        "failure",
        "failed",
        "backed up",
        "hotfix",
        "root cause",
        "degraded",
        "errors",
        "latency spike",
    ),
    "production": ("prod", "live", "customers", "deploy", "deployed", "release"),
    "disagree": (
        "disagreed",
        "pushed back",
        "conflict",
        "argued",
        "objected",
        "convinced",
        "compromise",
        "persuaded",
        "different view",
        "concern",
        "challenged",
        "debate",
    ),
    "conflict": (
        "disagreed",
        "pushed back",
        "tension",
        "argued",
        "competing",
        "clash",
        "compromise",
    ),
    "priorit": (
        "priority",
        "priorities",
        "competing",
        "trade-off",
        "tradeoff",
        "deprioritised",
        "deprioritized",
        "ranked",
        "urgent",
        "first",
        "cut scope",
        "backlog",
        "roadmap",
    ),
    "deadline": (
        "due",
        "ship date",
        "launch",
        "time pressure",
        "cut scope",
        "days",
        "weeks",
        "by friday",
        "crunch",
        "late",
        "on time",
        "timeline",
        "schedule",
    ),
    "pressure": ("deadline", "urgent", "crunch", "tight", "time"),
    "ambigu": (
        "unclear",
        "vague",
        "undefined",
        "edge case",
        "edge cases",
        "clarify",
        "clarified",
        "interpret",
        "guideline",
        "guidelines",
        "spec",
        "underspecified",
        "conflicting",
    ),
    "guidelin": ("rules", "rubric", "spec", "instructions", "labels", "annotation", "examples"),
    "non technical": (
        "client",
        "executive",
        "manager",
        "customer",
        "stakeholder",
        "business",
        "layman",
        "plain language",
        "analogy",
        "jargon",
    ),
    "client": ("customer", "stakeholder", "account", "buyer", "business"),
    "explain": ("explained", "showed", "walked", "analogy", "plain", "translated", "demo"),
    "mistake": ("error", "wrong", "bug", "missed", "failed", "owned up", "regression", "lesson"),
    "fail": ("mistake", "wrong", "broke", "missed", "regression", "lesson", "post-mortem"),
    "feedback": ("review", "critique", "comments", "pushback", "suggestion", "criticism"),
    "mentor": ("junior", "coached", "taught", "onboarding", "pair", "paired", "reviewed"),
    "ownership": (
        "owned",
        "own",
        "took it on",
        "responsible",
        "volunteered",
        "stepped up",
        "my project",
    ),
    "news": ("told", "informed", "escalated", "miss", "delay", "late", "slip", "warned"),
    "improv": ("reduced", "cut", "faster", "dropped", "raised", "increased", "fewer", "better"),
    "process": ("workflow", "review", "steps", "procedure", "pipeline", "rota", "checklist"),
    "lead": ("owned", "ran", "drove", "coordinated", "managed", "led"),
    "learn": (
        "picked up",
        "studied",
        "read",
        "course",
        "ramp",
        "ramped",
        "documentation",
        "taught myself",
    ),
    "evaluat": (
        "eval",
        "benchmark",
        "metric",
        "metrics",
        "measured",
        "test set",
        "judge",
        "score",
        "graded",
        "grading",
        "rubric",
        "accuracy",
        "human ratings",
    ),
    "metric": (
        "precision",
        "recall",
        "f1",
        "accuracy",
        "auc",
        "bleu",
        "rouge",
        "kappa",
        "score",
        "measure",
        "latency",
        "win rate",
    ),
    "annotat": (
        "label",
        "labels",
        "labeling",
        "labelling",
        "rater",
        "raters",
        "annotator",
        "guideline",
        "kappa",
        "agreement",
        "adjudicat",
    ),
    "label": ("annotation", "annotator", "rater", "tag", "ground truth"),
    "prompt": (
        "instruction",
        "system message",
        "few-shot",
        "examples",
        "template",
        "system prompt",
    ),
    "hallucinat": (
        "made up",
        "fabricated",
        "invented",
        "ungrounded",
        "unsupported",
        "citation",
        "grounded",
        "grounding",
        "factual",
    ),
    "bias": ("fairness", "disparity", "demographic", "skew", "position bias", "verbosity"),
    "overfit": (
        "memorise",
        "memorize",
        "generalise",
        "generalize",
        "validation loss",
        "regularization",
        "regularisation",
        "dropout",
        "early stopping",
        "train loss",
    ),
    "model": (
        "classifier",
        "network",
        "regressor",
        "llm",
        "gbm",
        "xgboost",
        "lightgbm",
        "transformer",
    ),
    "deploy": ("release", "rollout", "canary", "ship", "shipped", "kubernetes", "container", "ci"),
    "scale": ("throughput", "load", "traffic", "shard", "replica", "horizontal", "cache", "qps"),
    "debug": (
        "bisect",
        "logs",
        "traced",
        "reproduce",
        "reproduced",
        "breakpoint",
        "root cause",
        "profiled",
    ),
    "test": ("unit", "integration", "assert", "coverage", "regression", "fixture", "ci"),
    "design": ("architecture", "component", "interface", "schema", "api", "service", "trade-off"),
    "data": ("dataset", "rows", "records", "samples", "examples", "features", "table"),
    "pipeline": ("job", "stage", "airflow", "dag", "etl", "workflow", "step"),
    "code review": ("pull request", "pr", "reviewer", "comments", "approve", "diff"),
    "stakeholder": ("client", "manager", "product", "pm", "executive", "customer", "team"),
    "ethic": ("harm", "safety", "fair", "privacy", "consent", "responsible"),
    "safety": ("harmful", "jailbreak", "refusal", "red team", "red-team", "toxicity", "policy"),
    "latency": ("slow", "milliseconds", "ms", "p95", "p99", "response time", "cache"),
    "cost": ("budget", "spend", "dollars", "tokens", "cheaper", "expensive", "price"),
    "retriev": ("rag", "embedding", "vector", "index", "search", "chunk", "bm25", "rerank"),
    "fine tun": ("fine-tune", "fine-tuned", "finetune", "lora", "training", "adapter", "sft"),
}


def _norm_quotes(text: str) -> str:
    return (
        text.replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
    )


def words_of(text: str) -> list[str]:
    return _WORD_RE.findall(_norm_quotes(text).lower().replace("-", " ").replace("/", " "))


def sentences_of(text: str) -> list[str]:
    parts = [p.strip() for p in _SENT_SPLIT_RE.split(_norm_quotes(text).strip())]
    return [p for p in parts if words_of(p)]


_SUFFIXES = (
    "ational", "ization", "isation", "ations", "ation", "ments", "ment", "ness", "ities", "ity",
    "ings", "ing", "ively", "ive", "ed", "ies", "es", "ers", "er", "ly", "al", "s", "e",
)  # fmt: skip


@lru_cache(maxsize=20000)
def stem(word: str) -> str:
    """A crude suffix stripper: enough to match "annotators" with "annotation"."""
    w = word.lower().strip("'.")
    if w.endswith("'s"):
        w = w[:-2]
    if len(w) <= 4 or w.isdigit():
        return w
    for suffix in _SUFFIXES:
        if w.endswith(suffix) and len(w) - len(suffix) >= 3:
            w = w[: -len(suffix)]
            break
    # A second pass catches stacked suffixes ("labelers" -> "label").
    for suffix in ("er", "or", "al", "iz", "is", "at"):
        if w.endswith(suffix) and len(w) - len(suffix) >= 4:
            w = w[: -len(suffix)]
            break
    return w


def stems_match(a: str, b: str) -> bool:
    if a == b:
        return True
    short, long_ = (a, b) if len(a) <= len(b) else (b, a)
    if len(short) >= 4 and long_.startswith(short):
        return True
    return len(short) >= 5 and short[:5] == long_[:5]


def content_stems(words: Iterable[str], *, frame: frozenset[str] = frozenset()) -> list[str]:
    return [
        stem(w)
        for w in words
        if w not in STOPWORDS and w not in frame and (len(w) > 2 or w.isdigit())
    ]


class StemSet:
    """A bag of stems with fuzzy membership (exact, shared prefix)."""

    def __init__(self, stems: Iterable[str]) -> None:
        self.stems = set(stems)
        self._by_prefix: dict[str, list[str]] = {}
        for s in self.stems:
            self._by_prefix.setdefault(s[:3], []).append(s)

    def __contains__(self, s: object) -> bool:
        if not isinstance(s, str):
            return False
        if s in self.stems:
            return True
        return any(stems_match(s, other) for other in self._by_prefix.get(s[:3], ()))

    def __len__(self) -> int:
        return len(self.stems)


def count_phrases(text_lc: str, phrases: Iterable[str]) -> list[str]:
    """Every occurrence of each phrase on word boundaries (a phrase may repeat)."""
    found: list[str] = []
    for p in phrases:
        pattern = r"(?<![a-z0-9])" + re.escape(p) + r"(?![a-z0-9])"
        found.extend([p] * len(re.findall(pattern, text_lc)))
    return found


# ---------------------------------------------------------------------------------------
# Expected concepts for any question (in the bank or not)
# ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ConceptIndex:
    """Where expected concepts come from for a question the bank does not hold: bank
    questions on the same topic, and a glossary of common terms."""

    questions: tuple[tuple[frozenset[str], BankQuestion], ...]
    glossary: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    vocabulary: frozenset[str] = frozenset()

    @classmethod
    def from_bank(
        cls, bank: Iterable[BankQuestion], glossary: Mapping[str, Sequence[str]] | None = None
    ) -> ConceptIndex:
        rows = []
        vocab: set[str] = set()
        for q in bank:
            stems = frozenset(content_stems(words_of(q.text), frame=QUESTION_FRAME))
            if stems:
                rows.append((stems, q))
            for c in q.expected_concepts:
                vocab.update(content_stems(words_of(c)))
        terms = []
        for term, concepts in (glossary or {}).items():
            key = tuple(stem(w) for w in words_of(term))
            if key:
                terms.append((key, tuple(concepts)))
                vocab.update(key)
            for c in concepts:
                vocab.update(content_stems(words_of(c)))
        # Longest terms first so "database index" wins over "index".
        terms.sort(key=lambda t: -len(t[0]))
        return cls(tuple(rows), tuple(terms), frozenset(vocab))

    def nearest(self, question: str, *, min_overlap: float = 0.4) -> BankQuestion | None:
        q_stems = set(content_stems(words_of(question), frame=QUESTION_FRAME))
        if not q_stems:
            return None
        best: tuple[float, BankQuestion] | None = None
        for stems, bq in self.questions:
            inter = sum(1 for s in q_stems if any(stems_match(s, t) for t in stems))
            score = inter / len(q_stems | stems)
            if score >= min_overlap and (best is None or score > best[0]):
                best = (score, bq)
        return best[1] if best else None

    def glossary_concepts(self, question: str) -> list[tuple[str, tuple[str, ...]]]:
        """Glossary terms named in ``question`` with their concepts, longest match first."""
        q = [stem(w) for w in words_of(question)]
        used = [False] * len(q)
        found: list[tuple[str, tuple[str, ...]]] = []
        for key, concepts in self.glossary:
            n = len(key)
            for i in range(len(q) - n + 1):
                if not any(used[i : i + n]) and tuple(q[i : i + n]) == key:
                    found.append((" ".join(key), concepts))
                    for j in range(i, i + n):
                        used[j] = True
                    break
        return found


def derive_expected_concepts(
    question: str,
    *,
    taxonomy: Taxonomy,
    given: Sequence[str] = (),
    skills: Sequence[str] = (),
    index: ConceptIndex | None = None,
    category: str = "technical",
) -> list[str]:
    """What a correct answer should touch: the bank's concepts when known, else those of the
    nearest bank question and of glossary terms the question names, plus the taxonomy
    concepts of skills the question names."""
    concepts: list[str] = list(given)
    if not concepts and index is not None:
        near = index.nearest(question)
        if near is not None:
            concepts.extend(near.expected_concepts)
        if category == "technical":
            for _term, term_concepts in index.glossary_concepts(question):
                concepts.extend(term_concepts)
    slugs = list(skills) + taxonomy.find_slugs(question)
    for slug in dict.fromkeys(slugs):
        if slug in taxonomy:
            concepts.extend(taxonomy.get(slug).concepts)
    return list(dict.fromkeys(c.lower() for c in concepts if c.strip()))


def concept_matched(concept: str, answer_stems: StemSet, answer_lc: str) -> bool:
    if concept in answer_lc:
        return True
    stems = content_stems(words_of(concept))
    if not stems:
        return False
    hits = sum(1 for s in stems if s in answer_stems)
    # One-word concepts need the word; longer ones most of their words.
    return hits == len(stems) if len(stems) <= 2 else hits / len(stems) >= 0.66


def question_topic_stems(question: str) -> list[str]:
    return list(dict.fromkeys(content_stems(words_of(question), frame=QUESTION_FRAME)))


@lru_cache(maxsize=1)
def _cluster_stems() -> dict[str, list[list[str]]]:
    out: dict[str, list[list[str]]] = {}
    for key, members in TOPIC_CLUSTERS.items():
        key_stems = content_stems(words_of(key))
        if not key_stems:
            continue
        out.setdefault(key_stems[0], []).extend(
            [content_stems(words_of(m)) or [stem(w) for w in words_of(m)] for m in members]
        )
    return out


def topic_covered(topic: str, answer_stems: StemSet) -> bool:
    if topic in answer_stems:
        return True
    for key, members in _cluster_stems().items():
        if stems_match(key, topic):
            for m in members:
                if m and all(s in answer_stems for s in m):
                    return True
    return False


# ---------------------------------------------------------------------------------------
# The grader
# ---------------------------------------------------------------------------------------
def _clamp(x: float, lo: float = 0.0, hi: float = 100.0) -> float:
    return max(lo, min(hi, x))


_PAST_VERB_RE = re.compile(
    r"\b(?:i|we)\s+(?:\w+\s+)?(\w+ed|built|wrote|ran|led|made|set|took|cut|"
    r"found|sent|spent|broke|chose|drove|gave|got|kept|left|lost|met|paid|"
    r"put|said|saw|sold|split|taught|told|won|shipped|rolled|owned|did)\b"
)
_FIRST_PERSON_ACTION_RE = re.compile(
    r"\bi\s+(?:then\s+|first\s+|also\s+|quickly\s+)?(\w+ed|built|wrote|ran|led|made|set|took|cut|found|"
    r"sent|chose|drove|gave|kept|met|paid|put|split|taught|told|shipped|rolled|pulled|proposed|"
    r"asked|called|pushed|moved|added|opened|started|paired|sat|went|brought|drew|dug|fixed)\b"
)
_TASK_RE = re.compile(
    r"\b(?:i owned|i was responsible|i was on call|i was on-call|my job was|my role was|my task was|"  # noqa: E501
    r"i had to|i needed to|the goal was|our goal was|i was asked|i was the|i was leading|i led|"
    r"it was my|i was in charge|responsible for|i took ownership|i took on|i owned|i took it on|"
    r"as my own|i volunteered|i decided to|i was tasked|so the .{0,20} was mine|was my call)\b"
)
_SITUATION_RE = re.compile(
    r"\b(?:in (?:january|february|march|april|may|june|july|august|september|october|november|"
    r"december|q[1-4]|20\d\d)|last (?:year|quarter|month|spring|summer|autumn|fall|winter)|"
    r"at my (?:last|previous|current) (?:job|company|team|role)|at [A-Z]\w+|when i was|"
    r"two years ago|a year ago|once|we had|there was|our team|the team|a client|a customer)\b",
    re.IGNORECASE,
)
_RESULT_RE = re.compile(
    r"\b(?:result|resulted|as a result|outcome|in the end|cut|reduced|improved|increased|"
    r"decreased|dropped|saved|shipped|launched|delivered|confirmed|went from|took .{0,30} from|"
    r"since then|since|afterwards|which meant|so that|now|fired|caught|raised|grew|halved|doubled|"
    r"on time|agreed|signed|renewed|accepted|adopted|learned|lesson)\b"
)
_NUMBER_RE = re.compile(r"\d")


@dataclass
class _Analysis:
    text: str
    lc: str
    words: list[str]
    sentences: list[str]
    stems: StemSet
    content: list[str]
    duration_s: float
    minutes: float


class BuiltinGrader:
    """Deterministic rule-based rubric; ``bank`` lends concepts to questions outside it."""

    backend = BUILTIN_BACKEND
    rubric_version = RUBRIC_VERSION

    def __init__(
        self, bank: Iterable[BankQuestion] | None = None, *, use_default_bank: bool = True
    ) -> None:
        if bank is None and use_default_bank:
            from interviews.engine.bank import load_all_banks

            try:
                bank = load_all_banks()
            except (OSError, ValueError):  # a broken bank file must not stop grading
                bank = []
        from interviews.engine.bank import load_glossary

        try:
            glossary = load_glossary()
        except (OSError, ValueError):
            glossary = {}
        self.index = ConceptIndex.from_bank(bank or [], glossary)

    # -- public -------------------------------------------------------------------------
    def grade(self, answer: AnswerInput, *, taxonomy: Taxonomy | None = None) -> ScoreResult:
        taxonomy = taxonomy if taxonomy is not None else default_taxonomy()
        text = (answer.transcript or "").strip()
        words = words_of(text)
        if len([w for w in words if w not in STOPWORDS]) < 3:
            return empty_score(reason="unanswered" if not words else "too short to judge")

        if answer.typed or answer.duration_s <= 0:
            duration = len(words) / WORDS_PER_MINUTE * 60.0
        else:
            duration = float(answer.duration_s)
        content = content_stems(words)
        a = _Analysis(
            text=text,
            lc=" ".join(words_of(text)),
            words=words,
            sentences=sentences_of(text) or [text],
            stems=StemSet(content),
            content=content,
            duration_s=duration,
            minutes=max(duration / 60.0, 0.1),
        )
        concepts = derive_expected_concepts(
            answer.question,
            taxonomy=taxonomy,
            given=answer.expected_concepts,
            skills=answer.skills,
            index=self.index,
            category=answer.category,
        )
        topics = question_topic_stems(answer.question)
        common = self._common_features(a, answer, taxonomy)
        fluency = self._fluency(a, answer, common)
        technical = self._technical(a, answer, taxonomy, concepts, topics, common)
        coherence = self._coherence(a, answer, concepts, topics, common)
        conciseness = self._conciseness(a, common)
        overall = (
            WEIGHTS["technical_accuracy"] * technical.value
            + WEIGHTS["coherence"] * coherence.value
            + WEIGHTS["conciseness"] * conciseness.value
            + WEIGHTS["fluency"] * fluency.value
        )
        # Delivery cannot rescue content: a polished answer that says nothing right is weak.
        overall = min(overall, technical.value + 35)
        return ScoreResult(
            fluency=fluency,
            technical_accuracy=technical,
            coherence=coherence,
            conciseness=conciseness,
            overall=round(_clamp(overall), 1),
            evidence={
                "expected_concepts": concepts[:20],
                "question_topics": topics,
                "hedges": common["hedges"],
                "generic": common["generic"],
                "skills_named": common["answer_skills"],
                "words": len(words),
                "duration_s": round(duration, 1),
                "typed": answer.typed,
            },
            rubric_version=RUBRIC_VERSION,
            backend=BUILTIN_BACKEND,
        )

    # -- features -----------------------------------------------------------------------
    def _common_features(
        self, a: _Analysis, answer: AnswerInput, taxonomy: Taxonomy
    ) -> dict[str, Any]:
        hedges = count_phrases(a.lc, HEDGES)
        generic = count_phrases(a.lc, GENERIC_PHRASES)
        padding = count_phrases(a.lc, PADDING_PHRASES)
        own = _unquoted(a.text).lower()
        own_lc = " ".join(words_of(own))
        overclaims = count_phrases(own_lc, OVERCLAIMS)
        overclaims += ["only (restrictive)"] * len(_RESTRICTIVE_RE.findall(own_lc))
        misconceptions = [label for pat, label in MISCONCEPTIONS if re.search(pat, a.text.lower())]
        fillers = [w for w in a.words if w in FILLER_WORDS]
        fillers += count_phrases(a.lc, FILLER_PHRASES)
        # "like" is a filler when it is set off by commas or leads a clause, not in "I'd like".
        fillers += ["like"] * len(
            re.findall(
                r"(?:^|[,.!?]\s*|\b(?:was|is|it's|just|and|so|um|uh)\s+)like(?:,|\s+(?:um|uh|you know))",  # noqa: E501
                a.text.lower(),
            )
        )
        mentions = taxonomy.find(a.text)
        answer_skills = list(dict.fromkeys(m.slug for m in mentions))
        function_ratio = sum(1 for w in a.words if w in STOPWORDS or w in MECHANISM_WORDS) / max(
            len(a.words), 1
        )
        mechanism = sum(1 for w in a.words if w in MECHANISM_WORDS)
        numbers = len(_NUMBER_RE.findall(a.text)) and len(re.findall(r"\d+(?:[.,]\d+)?", a.text))
        numbers += sum(1 for w in a.words if w in NUMBER_WORDS)
        # Proper nouns and product names mid-sentence (LightGBM, Spark, Northwind, GPT-4).
        names = re.findall(
            r"(?<=[a-z,;:] )(?:[A-Z][a-zA-Z0-9]+|[a-z]+[A-Z]\w*)(?:[-.][A-Za-z0-9]+)*", a.text
        )
        names = [n for n in names if n.lower() not in STOPWORDS and n not in ("I",)]
        commas = a.text.count(",")
        habitual = count_phrases(
            a.lc,
            (
                "i always",
                "i usually",
                "i believe",
                "i try to",
                "i make sure",
                "whenever",
                "i tend to",
                "i would",
                "i'd",
                "i generally",
                "i'm a",
                "i am a",
                "i'm very",
                "i am very",
                "i really",
            ),
        )
        return {
            "habitual": habitual,
            "hedges": hedges,
            "generic": generic,
            "padding": padding,
            "overclaims": overclaims,
            "misconceptions": misconceptions,
            "fillers": fillers,
            "answer_skills": answer_skills,
            "mentions": len(mentions),
            "function_ratio": function_ratio,
            "mechanism": mechanism,
            "numbers": numbers,
            "names": list(dict.fromkeys(names)),
            "commas": commas,
        }

    def _fluency(self, a: _Analysis, answer: AnswerInput, c: dict[str, Any]) -> SubScore:
        evidence: list[Any] = []
        n_fill = len(c["fillers"])
        if answer.typed:
            # Typed answers have no speech: only written filler and hedging count.
            per_100 = n_fill * 100 / max(len(a.words), 1)
            value = 100 - min(40, per_100 * 8) - min(20, len(c["hedges"]) * 4)
            evidence.append({"typed": True, "fillers": n_fill})
            return SubScore(round(_clamp(value), 1), evidence)
        per_min = n_fill / a.minutes
        value = 100.0
        filler_pen = min(50.0, per_min * 5.0)
        value -= filler_pen
        evidence.append(
            {"fillers": n_fill, "per_min": round(per_min, 1), "examples": c["fillers"][:5]}
        )
        pauses = 0
        if answer.words:
            prev_end: float | None = None
            for _w, start, end in answer.words:
                if prev_end is not None and start - prev_end > LONG_PAUSE_S:
                    pauses += 1
                prev_end = end
            value -= min(30.0, pauses * 6.0)
            evidence.append({"long_pauses": pauses})
        wpm = len(a.words) / a.minutes
        if wpm < 90:
            value -= min(25.0, (90 - wpm) * 0.5)
        elif wpm > 200:
            value -= min(20.0, (wpm - 200) * 0.4)
        evidence.append({"words_per_min": round(wpm)})
        hedge_pen = min(20.0, len(c["hedges"]) * 4.0)
        value -= hedge_pen
        if c["hedges"]:
            evidence.append({"hedges": c["hedges"][:5]})
        return SubScore(round(_clamp(value), 1), evidence)

    def _technical(
        self,
        a: _Analysis,
        answer: AnswerInput,
        taxonomy: Taxonomy,
        concepts: list[str],
        topics: list[str],
        c: dict[str, Any],
    ) -> SubScore:
        evidence: list[Any] = []
        # Concepts of skills the answer itself names: naming PyTorch is worth something only
        # when the answer also says something true about it.
        named_concepts: list[str] = []
        for slug in c["answer_skills"]:
            if slug in taxonomy:
                named_concepts.extend(taxonomy.get(slug).concepts)
        matched = [k for k in concepts if concept_matched(k, a.stems, a.lc)]
        target = max(2.0, min(len(concepts), 12) * 0.45) if concepts else 0.0
        coverage = min(1.0, len(matched) / target) if concepts else None
        named_hit = [
            k for k in named_concepts if concept_matched(k, a.stems, a.lc) and k not in matched
        ]
        evidence.append({"concepts_matched": matched[:10], "of": len(concepts)})

        topic_cover = self._relevance(a, topics)
        # An answer may cover the question's concepts without echoing its words.
        relevance = max(topic_cover, min(1.0, (coverage or 0.0) * 1.1))
        evidence.append(
            {"question_topics_covered": round(topic_cover, 2), "relevance": round(relevance, 2)}
        )

        n_words = len(a.words)
        specificity = min(
            1.0,
            0.3 * min(c["numbers"], 2)
            + 0.15 * min(len(c["names"]), 3)
            + 0.1 * min(c["mentions"], 3),
        )
        cues = count_phrases(a.lc + " ", SPECIFIC_CUES)
        specificity = min(1.0, specificity + 0.1 * min(len(cues), 2))
        mechanism = min(1.0, c["mechanism"] / max(2.0, n_words / 25))
        depth = min(1.0, n_words / 60)

        story = sum(self._star(a).values()) / 4
        if answer.category != "technical":
            # Stories are judged on what concretely happened more than on vocabulary.
            content = 0.25 * relevance + 0.3 * specificity + 0.15 * mechanism + 0.3 * story
            if coverage is not None:
                content = 0.85 * content + 0.15 * coverage
        elif coverage is None:
            content = 0.35 * relevance + 0.4 * specificity + 0.25 * mechanism
        else:
            content = 0.45 * coverage + 0.25 * relevance + 0.15 * specificity + 0.15 * mechanism
        content += 0.05 * min(len(named_hit), 2)
        value = 100.0 * min(1.0, content) * (0.6 + 0.4 * depth)
        # Relevance gates the rest: concepts of a different question do not count.
        if answer.category == "technical":
            gate = 0.3 + 0.7 * min(1.0, relevance / 0.5)
        else:
            gate = 0.45 + 0.55 * min(1.0, relevance / 0.34)
        value *= gate
        evidence.append(
            {
                "specificity": round(specificity, 2),
                "mechanism": round(mechanism, 2),
                "numbers": c["numbers"],
                "names": c["names"][:6],
            }
        )

        penalties: dict[str, float] = {}
        if c["hedges"]:
            penalties["hedging"] = min(25.0, 5.0 * len(c["hedges"]))
        if c["generic"]:
            penalties["generic"] = min(30.0, 6.0 * len(c["generic"]))
        if c["overclaims"]:
            # One "always" is ordinary speech; a run of absolutes is a confident style that
            # the content rarely earns, so each further one costs more.
            n_over = len(c["overclaims"])
            penalties["overclaims"] = min(45.0, 5.0 + 13.0 * (n_over - 1))
        if c["misconceptions"]:
            penalties["misconceptions"] = min(45.0, 25.0 * len(c["misconceptions"]))
        if answer.category != "technical" and not story and c["habitual"]:
            # "I always communicate clearly" describes a self-image, not something that happened.
            penalties["no_story"] = min(25.0, 10.0 + 5.0 * len(c["habitual"]))
        buzz = self._buzzword_list(a, c)
        if buzz:
            penalties["buzzword_list"] = buzz
        for key, pen in penalties.items():
            value -= pen
            evidence.append({key: round(pen, 1)})
        if c["misconceptions"]:
            evidence.append({"misconception_patterns": c["misconceptions"]})
        if c["overclaims"]:
            evidence.append({"overclaims": c["overclaims"][:5]})
        return SubScore(round(_clamp(value), 1), evidence)

    def _relevance(self, a: _Analysis, topics: list[str]) -> float:
        if not topics:
            return 0.6
        covered = sum(1 for t in topics if topic_covered(t, a.stems))
        return covered / len(topics)

    def _buzzword_list(self, a: _Analysis, c: dict[str, Any]) -> float:
        """Many names, few verbs and connectives: a list of things the candidate has heard of."""
        n = len(a.words)
        names = c["mentions"] + len(c["names"])
        low_function = c["function_ratio"] < 0.33
        listy = c["commas"] >= 4 and c["commas"] / max(len(a.sentences), 1) >= 3
        dense = names / max(n, 1) > 0.18
        score = 0.0
        if low_function:
            score += 15.0 + (0.33 - c["function_ratio"]) * 100
        if listy:
            score += 10.0
        if dense:
            score += 10.0
        return min(40.0, score) if (low_function or (listy and dense)) else 0.0

    def _coherence(
        self,
        a: _Analysis,
        answer: AnswerInput,
        concepts: list[str],
        topics: list[str],
        c: dict[str, Any],
    ) -> SubScore:
        evidence: list[Any] = []
        concept_stems = StemSet(s for k in concepts for s in content_stems(words_of(k)))
        topic_set = StemSet(topics)

        def on_topic(sentence: str) -> bool:
            st = content_stems(words_of(sentence))
            ss = StemSet(st)
            if any(topic_covered(t, ss) for t in topics):
                return True
            return sum(1 for s in st if s in concept_stems) >= 2

        first = a.sentences[0]
        if len(words_of(first)) < 5 and len(a.sentences) > 1:
            # A lead-in ("A few cases.", "Sure.") belongs with the sentence that follows it.
            first = first + " " + a.sentences[1]
        first_stems = StemSet(content_stems(words_of(first)))
        bluf = on_topic(first) or any(s in topic_set for s in first_stems.stems)
        if not bluf and len(a.sentences) > 1:
            bluf_score = 0.4 if on_topic(a.sentences[1]) else 0.0
        else:
            bluf_score = 1.0 if bluf else 0.0
        evidence.append({"bottom_line_up_front": bool(bluf)})
        on = [on_topic(s) for s in a.sentences]
        stay = sum(on) / len(on)
        evidence.append({"on_topic_sentences": f"{sum(on)}/{len(on)}"})

        if answer.category in ("behavioral", "resume"):
            star = self._star(a)
            evidence.append({"star": star})
            parts = sum(star.values()) / 4
            value = 100 * (0.25 * bluf_score + 0.35 * stay + 0.4 * parts)
        else:
            value = 100 * (0.4 * bluf_score + 0.45 * stay + 0.15 * min(1.0, c["mechanism"] / 3))
        drift = count_phrases(
            a.lc,
            (
                "anyway",
                "anyways",
                "by the way",
                "where was i",
                "going back to",
                "long story short",
                "side note",
                "off topic",
                "unrelated",
            ),
        )
        if drift:
            value -= min(20.0, 7.0 * len(drift))
            evidence.append({"drift": drift})
        if c["hedges"]:
            value -= min(15.0, 3.0 * len(c["hedges"]))
        if c["generic"]:
            value -= min(15.0, 3.0 * len(c["generic"]))
        return SubScore(round(_clamp(value), 1), evidence)

    def _star(self, a: _Analysis) -> dict[str, bool]:
        text = a.text
        lc = text.lower()
        situation = bool(_SITUATION_RE.search(text)) and bool(
            _PAST_VERB_RE.search(lc) or " was " in lc
        )
        task = bool(_TASK_RE.search(lc))
        action = len(_FIRST_PERSON_ACTION_RE.findall(lc)) >= 1
        result = bool(_RESULT_RE.search(lc)) and bool(
            _NUMBER_RE.search(text)
            or re.search(
                r"\b(?:percent|half|twice|every|all|zero|no longer|within|before|fewer|faster)\b",
                lc,
            )
        )
        return {"situation": situation, "task": task, "action": action, "result": result}

    def _conciseness(self, a: _Analysis, c: dict[str, Any]) -> SubScore:
        evidence: list[Any] = []
        d = a.duration_s
        n = len(a.words)
        value = 100.0
        if d > PENALTY_AFTER_SECONDS:
            value -= min(60.0, (d - PENALTY_AFTER_SECONDS) * 0.6)
        elif d > TARGET_SECONDS:
            value -= (d - TARGET_SECONDS) * 0.25
        if n < 35:
            value -= (35 - n) * 1.5
        evidence.append({"duration_s": round(d, 1), "target_s": TARGET_SECONDS, "words": n})
        content = a.content
        trigrams = [tuple(a.words[i : i + 3]) for i in range(len(a.words) - 2)]
        rep_tri = sum(v - 1 for v in Counter(trigrams).values() if v > 1) / max(len(trigrams), 1)
        counts = Counter(content)
        rep_content = sum(v - 2 for v in counts.values() if v > 2) / max(len(content), 1)
        rep = rep_tri + rep_content
        if rep > 0.04:
            value -= min(25.0, (rep - 0.04) * 150)
            evidence.append({"repetition": round(rep, 3)})
        if c["padding"]:
            value -= min(25.0, 5.0 * len(c["padding"]))
            evidence.append({"padding": c["padding"][:5]})
        return SubScore(round(_clamp(value), 1), evidence)


def empty_score(*, reason: str = "unanswered", backend: str = BUILTIN_BACKEND) -> ScoreResult:
    """An unanswered question (skipped, silent, timed out) scores zero on everything."""
    return ScoreResult(
        fluency=SubScore(0.0, [reason]),
        technical_accuracy=SubScore(0.0, [reason]),
        coherence=SubScore(0.0, [reason]),
        conciseness=SubScore(0.0, [reason]),
        overall=0.0,
        evidence={"reason": reason},
        rubric_version=RUBRIC_VERSION,
        backend=backend,
    )


@lru_cache(maxsize=1)
def default_grader() -> BuiltinGrader:
    return BuiltinGrader()
