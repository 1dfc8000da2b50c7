"""`python -m mbrl_helpers.grade`: the grade command, kept at this short name for students.

The command lives in `mbrl_helpers.course.grade`; see its docstring for the options.
"""

from mbrl_helpers.course.grade import main

if __name__ == "__main__":
    raise SystemExit(main())
