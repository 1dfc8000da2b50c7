"""The self-check quiz: questions and answers from `mbrl_helpers/data/quiz.json`, validated.

Each question has an `id`, the `lecture` it covers, a `kind` ("choice" or "numeric"), the
`question`, an `explanation`, and either `options` with the index of the one correct `answer`,
or a numeric `answer` with a `tolerance`. The widget lives in `mbrl_helpers.widgets.quiz`.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from importlib import resources

N_LECTURES = 9


@dataclass(frozen=True)
class Question:
    id: str
    lecture: int
    kind: str
    question: str
    explanation: str
    answer: float | int
    options: tuple[str, ...] = ()
    tolerance: float = 0.0

    def grade(self, response) -> tuple[bool, str]:
        """`(correct, feedback)` for a response: an option index, or a number."""
        if response is None or (isinstance(response, str) and not response.strip()):
            return False, "Choose or type an answer first."
        if self.kind == "choice":
            if response not in range(len(self.options)):
                return False, f"Choose one of the {len(self.options)} options."
            correct = response == self.answer
        else:
            try:
                value = float(response)
            except (TypeError, ValueError):
                return False, f"Type a number (got {response!r})."
            correct = math.isfinite(value) and abs(value - self.answer) <= self.tolerance + 1e-12
        verdict = "Correct." if correct else f"Not quite: the answer is {self.answer_text}."
        return correct, f"{verdict} {self.explanation}"

    @property
    def answer_text(self) -> str:
        if self.kind == "choice":
            return f'"{self.options[self.answer]}"'
        return f"{self.answer:g}"


def _fail(where: str, what: str):
    raise ValueError(f"quiz question {where}: {what}")


def parse(data: dict) -> list[Question]:
    """Validate the quiz's JSON data and return its questions; raise ValueError naming the flaw."""
    questions, seen = [], set()
    for i, q in enumerate(data.get("questions", [])):
        where = f"#{i} ({q.get('id', '?')})"
        for key in ("id", "lecture", "kind", "question", "explanation", "answer"):
            if key not in q:
                _fail(where, f"missing '{key}'")
        if q["id"] in seen:
            _fail(where, "duplicate id")
        seen.add(q["id"])
        if not (isinstance(q["lecture"], int) and 0 <= q["lecture"] < N_LECTURES):
            _fail(where, f"lecture must be 0..{N_LECTURES - 1}")
        if not q["question"].strip() or not q["explanation"].strip():
            _fail(where, "the question and its explanation must not be empty")
        if q["kind"] == "choice":
            options = q.get("options", [])
            if len(options) < 2 or len(set(options)) != len(options):
                _fail(where, "a choice question needs at least two distinct options")
            answer = q["answer"]
            if isinstance(answer, list) or not (
                isinstance(answer, int) and 0 <= answer < len(options)
            ):
                _fail(
                    where,
                    "a choice question needs exactly one correct option (an index into options)",
                )
            questions.append(
                Question(
                    q["id"],
                    q["lecture"],
                    "choice",
                    q["question"],
                    q["explanation"],
                    answer,
                    tuple(options),
                )
            )
        elif q["kind"] == "numeric":
            if not isinstance(q["answer"], (int, float)) or "options" in q:
                _fail(where, "a numeric question needs a number as answer and no options")
            tolerance = q.get("tolerance", 0.0)
            if not isinstance(tolerance, (int, float)) or tolerance < 0:
                _fail(where, "tolerance must be a number >= 0")
            questions.append(
                Question(
                    q["id"],
                    q["lecture"],
                    "numeric",
                    q["question"],
                    q["explanation"],
                    q["answer"],
                    (),
                    float(tolerance),
                )
            )
        else:
            _fail(where, f"kind must be 'choice' or 'numeric', got {q['kind']!r}")
    if not questions:
        raise ValueError("the quiz has no questions")
    return questions


def load() -> tuple[str, list[Question]]:
    """The quiz shipped with the package: `(title, questions)`."""
    text = resources.files("mbrl_helpers").joinpath("data/quiz.json").read_text(encoding="utf-8")
    data = json.loads(text)
    return data.get("title", "Quiz"), parse(data)
