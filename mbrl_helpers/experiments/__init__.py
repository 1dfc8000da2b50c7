"""Experiments that reproduce the book's figures and the course's comparisons, apart from the
algorithms they run.

- `figures`: Sutton & Barto Figures 8.2 to 8.5 (Dyna-Q and Dyna-Q+ on the chapter's mazes).
- `example_8_4`: updates until optimal, prioritized sweeping against Dyna-Q (Example 8.4), over
  seeds and under several ways of counting (the stored runs of `benchmarks/seeds_example_8_4.py`).
- `pets`: PETS-style planning on the point mass, CEM through an ensemble with MPC (lecture 03; the
  stored seeds of `benchmarks/seeds_pets.py`).
- `budget`: one task, every method, one table of real steps, updates and time (lecture 08).
- `game_budget`: the game methods (rollouts, MCTS, AlphaZero) against the perfect player, per
  budget per move, and AlphaZero's training cost (lecture 08; stored by a benchmark).
- `alphazero_seeds`: AlphaZero over ten seeds and the ablations of its self-play (lecture 06;
  stored by a benchmark, replayed by `stored_train`).
- `when_to_update`: Dyna-Q whose counting model learns at once or in batches, over 100 stored
  runs (lecture 02).

Experiments import algorithms, environments and models; no algorithm imports them.
"""
