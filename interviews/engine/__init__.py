"""Plain-Python interview engine: no Django imports anywhere below this package.

Everything here works on dataclasses and can be run from a command line or a test
without a database.
"""
