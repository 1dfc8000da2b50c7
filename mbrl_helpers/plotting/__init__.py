"""Figures for the lectures: each submodule draws for one topic; none is imported by an algorithm."""
