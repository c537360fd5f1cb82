"""Event and API contracts shared by every service."""
