from foundation.errors import DomainError


class InvitationInvalid(DomainError):
    pass


class LastAdminError(DomainError):
    pass
