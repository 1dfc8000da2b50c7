"""The self-check quiz as ipywidgets: one card per question, a Check button, instant feedback."""

from __future__ import annotations

import html

import ipywidgets as widgets

from mbrl_helpers.course import quiz


def question_card(question: quiz.Question) -> widgets.VBox:
    """A card: the question, radio buttons or a number box, a Check button and a feedback line."""
    prompt = widgets.HTML(
        f"<b>Lecture {question.lecture:02d}.</b> {html.escape(question.question)}"
    )
    if question.kind == "choice":
        answer = widgets.RadioButtons(
            options=[(text, i) for i, text in enumerate(question.options)],
            value=None,
            layout={"width": "max-content"},
        )
    else:
        answer = widgets.Text(placeholder="a number", layout={"width": "12em"})
    button = widgets.Button(description="Check", button_style="primary")
    feedback = widgets.HTML("")

    def on_check(_button=None):
        correct, text = question.grade(answer.value)
        colour = "green" if correct else "firebrick"
        feedback.value = f'<span style="color:{colour}">{html.escape(text)}</span>'

    button.on_click(on_check)
    card = widgets.VBox(
        [prompt, answer, button, feedback],
        layout={"border": "1px solid #ddd", "padding": "6px", "margin": "4px 0"},
    )
    card.answer, card.button, card.feedback = answer, button, feedback
    return card


def quiz_widget(lectures: list[int] | None = None) -> widgets.VBox:
    """The whole quiz (or the questions of some lectures) as one widget."""
    title, questions = quiz.load()
    if lectures is not None:
        questions = [q for q in questions if q.lecture in set(lectures)]
        if not questions:
            raise ValueError(f"no quiz questions for lectures {lectures}")
    cards = [question_card(q) for q in questions]
    box = widgets.VBox([widgets.HTML(f"<h3>{html.escape(title)}</h3>"), *cards])
    box.cards = cards
    return box
