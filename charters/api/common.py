"""What the charters API's resources share: tags, error responses, the state conflicts (409)."""

from accounts.api.foundation import error_responses, register_conflicts

from .. import consultation as consultation_services
from ..errors import TransitionRefused, VersionFrozen

register_conflicts(
    VersionFrozen,
    TransitionRefused,
    consultation_services.ConsultationClosed,
    consultation_services.CommentRecordClosed,
)

TAG_LIBRARY = ["measure library"]
TAG_CHARTERS = ["charters"]
TAG_CONSULTATIONS = ["consultations"]


CHARTER_READ_ERRORS = error_responses(400, 404)
STAFF_WRITE = (400, 401, 403, 404, 409)  # the errors of a staff write, for `Doc(errors=...)`
STAFF_WRITE_ERRORS = error_responses(*STAFF_WRITE)
