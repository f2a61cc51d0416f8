"""The results machinery of the series: the reference runs, the training command line, results files
and their provenance, the README's tables, the benchmark and the notebook runner.

Nothing here is taught by the notebooks. ``lab`` imports :mod:`helpers` (the teaching library), never
the reverse; ``tests/test_structure.py`` checks that.
"""
