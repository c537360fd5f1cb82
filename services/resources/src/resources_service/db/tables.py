"""The resources service's tables."""

from servicekit.user_access import user_access_table
from sqlalchemy import MetaData

metadata = MetaData()

user_access = user_access_table(metadata)
