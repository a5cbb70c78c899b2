"""Errors a user can act on. Every message is Chinese and says what and why."""

from __future__ import annotations


class JifenError(Exception):
    """Base of every error shown to a user (the CLI exits 2, the UI shows a message box)."""


class ValidationError(JifenError):
    pass


class NotFound(JifenError):
    pass


class PermissionDenied(JifenError):
    pass


class PeriodLocked(JifenError):
    pass


class AuthError(JifenError):
    pass
