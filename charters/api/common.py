"""What the charters API's resources share: tags, the errors of a staff write, the state conflicts (409)."""

from accounts.api.foundation import register_conflicts

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

STAFF_WRITE = (400, 401, 403, 404, 409)  # the errors of a staff write, for `Doc(errors=...)`
