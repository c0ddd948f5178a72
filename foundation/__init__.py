"""Shared machinery below every domain app: the domain error type, PDF rendering, money and date formatting, and
reading a file's type from its content.

Nothing here knows the domain: foundation imports no app of the project (tests/test_architecture.py checks it), so
every app may use it.
"""
