class DomainError(Exception):
    """A rule of the domain refused the action. The message is written to be shown to the user."""

    field: str | None = None

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
