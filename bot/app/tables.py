"""Every feature's tables, registered on one ``Base.metadata``: for Alembic, key rotation and checks."""

from __future__ import annotations

from sqlalchemy import MetaData

from bot.audit import models as audit_models
from bot.checkins import models as checkin_models
from bot.db import key_check
from bot.db.base import Base
from bot.pairing import models as pairing_models
from bot.safety import models as safety_models

FEATURE_MODELS = (pairing_models, checkin_models, safety_models, audit_models, key_check)
metadata: MetaData = Base.metadata
