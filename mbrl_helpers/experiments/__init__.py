"""Experiments that reproduce the book's figures and the course's comparisons, apart from the
algorithms they run.

- `figures`: Sutton & Barto Figures 8.2 to 8.5 (Dyna-Q and Dyna-Q+ on the chapter's mazes).
- `example_8_4`: updates until optimal, prioritized sweeping against Dyna-Q (Example 8.4).
- `budget`: one task, every method, one table of real steps, updates and time (lecture 08).

Experiments import algorithms, environments and models; no algorithm imports them.
"""
