"""The interop service's tables shared by both halves: the one `metadata` and user access.

The FHIR read model's tables live in `db/read_model.py`, the SIU feed's in `db/siu.py`; both are
declared on this `metadata`.
"""

from servicekit.user_access import revoked_sessions_table, user_access_table
from sqlalchemy import MetaData

metadata = MetaData()

user_access = user_access_table(metadata)
revoked_sessions = revoked_sessions_table(metadata)
