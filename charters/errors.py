from foundation.errors import DomainError


class VersionFrozen(DomainError):
    """An adopted or superseded version never changes: revise it instead."""


class TransitionRefused(DomainError):
    pass
