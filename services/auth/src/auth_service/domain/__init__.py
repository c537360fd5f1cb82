"""The auth service's rules, free of I/O."""
