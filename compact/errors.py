from foundation.errors import DomainError


class StateConflict(DomainError):
    """The contract, report or line is not in a state that allows this now: an award already made into a contract,
    a contract already ended, a report whose period has not ended or that is already verified, a line with no open
    question. The pages show the message as any refusal; the API answers 409."""
