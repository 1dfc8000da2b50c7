"""The self-check quiz: every question is well formed, every lecture is covered, the widget reacts."""

import copy
import json
from importlib import resources

import pytest

from mbrl_helpers.course import quiz
from mbrl_helpers.widgets import quiz as quiz_widgets

RAW = json.loads(resources.files("mbrl_helpers").joinpath("data/quiz.json").read_text())


def test_every_question_has_one_correct_answer_and_an_explanation():
    _title, questions = quiz.load()
    assert len(questions) == len(RAW["questions"]) >= 16
    for q in questions:
        assert q.explanation.strip() and q.question.strip()
        if q.kind == "choice":
            correct = [i for i in range(len(q.options)) if q.grade(i)[0]]
            assert correct == [q.answer], q.id
        else:
            assert q.grade(q.answer)[0] and not q.grade(q.answer + 1)[0], q.id


def test_every_lecture_is_covered_with_both_kinds():
    _title, questions = quiz.load()
    assert {q.lecture for q in questions} == set(range(quiz.N_LECTURES))
    assert {q.kind for q in questions} == {"choice", "numeric"}


@pytest.mark.parametrize(
    "change, message",
    [
        (lambda q: q.update(answer=[0, 1]), "exactly one correct option"),
        (lambda q: q.update(answer=9), "exactly one correct option"),
        (lambda q: q.update(explanation=" "), "must not be empty"),
        (lambda q: q.pop("explanation"), "missing 'explanation'"),
        (lambda q: q.update(options=["same", "same"]), "two distinct options"),
        (lambda q: q.update(lecture=12), "lecture must be 0..8"),
        (lambda q: q.update(kind="essay"), "kind must be"),
    ],
)
def test_malformed_questions_are_rejected(change, message):
    data = copy.deepcopy(RAW)
    change(data["questions"][0])
    with pytest.raises(ValueError, match=message):
        quiz.parse(data)


def test_grading_feedback():
    _title, questions = quiz.load()
    numeric = next(q for q in questions if q.kind == "numeric" and q.id == "rollout-1")
    assert numeric.grade("0.3")[0]
    assert numeric.grade("abc") == (False, "Type a number (got 'abc').")
    assert numeric.grade("") == (False, "Choose or type an answer first.")
    wrong = numeric.grade("0.5")
    assert not wrong[0] and wrong[1].startswith("Not quite: the answer is 0.3.")


def test_widget_gives_immediate_feedback():
    box = quiz_widgets.quiz_widget(lectures=[1])
    assert len(box.cards) == sum(q.lecture == 1 for q in quiz.load()[1])
    card = box.cards[0]
    card.button.click()
    assert "Choose or type an answer first" in card.feedback.value
    question = next(q for q in quiz.load()[1] if q.lecture == 1)
    card.answer.value = (question.answer + 1) % len(question.options)
    card.button.click()
    assert "Not quite" in card.feedback.value and "firebrick" in card.feedback.value
    card.answer.value = question.answer
    card.button.click()
    assert "Correct." in card.feedback.value and "green" in card.feedback.value
    with pytest.raises(ValueError, match="no quiz questions"):
        quiz_widgets.quiz_widget(lectures=[42])
