"""What the evaluation API's resources share: tags, error responses, the state conflicts (409)."""

from accounts.api.foundation import register_conflicts
from tenders import sealing

from .. import services

register_conflicts(services.StateRefused, sealing.OffersSealed)

TAG_EVALUATIONS = ["evaluations"]
TAG_SCORING = ["evaluation scoring"]
TAG_MODERATION = ["evaluation moderation"]
TAG_AWARDS = ["awards"]

READ = (401, 403, 404)  # the errors of a read, for `Doc(errors=...)`
WRITE = (400, 401, 403, 404, 409)  # the errors of a write, for `Doc(errors=...)`


def person_name(user) -> str:
    return (user.full_name or user.email) if user else ""
