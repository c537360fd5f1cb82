"""The resources service's rules without I/O: spans of time, calendars, availability, blocks."""
