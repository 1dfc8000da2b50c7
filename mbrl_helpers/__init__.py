"""mbrl_helpers: the small helper package shared by every notebook of the mbrl-course.

Importing the package registers the course's Gymnasium environments (see `mbrl_helpers.envs`).
"""

__version__ = "0.2.0"

import mbrl_helpers.envs  # noqa: E402,F401  registers the chapter 8 mazes with Gymnasium
