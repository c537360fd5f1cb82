"""The demo hospital for `make up`: its rooms, staff, equipment and blocks as plain data
(`demo_hospital`), seeded through the use cases (`demo`), its logins linked to staff members
(`demo_logins`)."""
