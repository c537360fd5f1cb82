"""The optimizer service against the real PostgreSQL and Kafka."""
