"""What the contracts' wall-clock rules mean in UTC: weekly hours, exceptions, block occurrences.

Pure functions shared by every service that reads resources snapshots, so that resources'
availability, scheduling's booking rules and the problems sent to the optimizer agree.
"""
