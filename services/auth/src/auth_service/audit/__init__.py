"""The durable audit store: every service's `audit.events.v1` entries, kept for the retention."""
