"""ipywidgets controls for the lectures; they import the algorithms, never the reverse."""
