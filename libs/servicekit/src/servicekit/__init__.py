"""The runtime kit every service is built on."""
