"""SQLAlchemy models of shm-bot and the domain rules that go with them (quotas, programs)."""

from models.alerts import Alert, AlertDelivery
from models.announcement import Announcement
from models.audit import AuditEntry
from models.base import Base
from models.certificates import Certificate
from models.conversation import AppliedUpdate, Conversation
from models.coordination import JobLease, SendBudget
from models.evaluation import EvaluationProgress, EvaluationResponse, EvaluationScore
from models.outbox import OutboxMessage
from models.participant import ConsentRecord, Participant
from models.program import Meeting, Program, Role, RoleQuota
from models.program_uploads import ProgramUpload
from models.registration import Registration, RegistrationStatus
from models.staff import PicAssignment, PicInvite

__all__ = [
    "Alert",
    "AppliedUpdate",
    "AlertDelivery",
    "Announcement",
    "AuditEntry",
    "PicAssignment",
    "PicInvite",
    "Base",
    "Certificate",
    "ConsentRecord",
    "Conversation",
    "JobLease",
    "SendBudget",
    "EvaluationProgress",
    "EvaluationResponse",
    "EvaluationScore",
    "Meeting",
    "OutboxMessage",
    "Participant",
    "Program",
    "ProgramUpload",
    "Registration",
    "RegistrationStatus",
    "Role",
    "RoleQuota",
]
