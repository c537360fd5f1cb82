"""The audit log: recording who read or changed which case (`audit_log`), in the same
transaction as the change, and reading it back for an admin (`audit_entries`)."""
