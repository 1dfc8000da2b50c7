"""The course's own tooling, apart from the algorithms it teaches.

- `checks`: the automatic checks of the exercises (`checks.check("1.1", my_function)`).
- `exercises`: generates `exercises/` from `solutions/` (`python -m mbrl_helpers.course.exercises`).
- `execute`: re-executes lecture and solution notebooks to store their outputs.
- `grade`: grades exercise notebooks from the terminal (`python -m mbrl_helpers.grade`).
- `quiz`: the self-check quiz's questions and their grading.

The course imports the algorithms as references; no algorithm imports the course.
"""
