"""The read model of resources: rooms, staff, units and blocks as resources last announced
them (kept by `handlers/resources.py`), read back as contract models with open time in UTC."""
