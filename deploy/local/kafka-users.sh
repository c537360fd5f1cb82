# The Kafka users of a local stack and how a client reaches the broker as one of them. Sourced
# by kafka.sh (which creates the users), services.sh (each service as its own user) and test.sh
# (the tests as the admin), after common.sh, resolve_run_dir and tls_files.
# shellcheck shell=bash disable=SC2034  # the constants are used by the scripts sourcing this

# `admin` is the broker's own principal and the super user that creates topics, users and ACLs
# and runs the tools and the tests; every service has a user named after it, whose ACLs
# (python -m servicekit.kafka_access) allow only what the contracts say it produces and consumes.
KAFKA_ADMIN_USER="admin"
KAFKA_USERS=("$KAFKA_ADMIN_USER" "${SERVICES[@]}")

# Development passwords: deterministic, and marked `dev-only`, which ENVIRONMENT=production refuses.
# A hospital makes its own (deploy/README.md, "Kafka users and ACLs").
kafka_password() { printf 'dev-only-kafka-%s-password' "$1"; }

# Exports <PREFIX>KAFKA_BOOTSTRAP_SERVERS, _SECURITY_PROTOCOL, _SASL_MECHANISM, _USERNAME,
# _PASSWORD and _SSL_CA_FILE: what servicekit.kafka.KafkaConnection.from_env(prefix) and a
# service's settings read, for USER on this stack's broker.
export_kafka_client() {
  local prefix=$1 user=$2
  export "${prefix}KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT"
  export "${prefix}KAFKA_SECURITY_PROTOCOL=SASL_SSL"
  export "${prefix}KAFKA_SASL_MECHANISM=SCRAM-SHA-512"
  export "${prefix}KAFKA_USERNAME=$user"
  export "${prefix}KAFKA_PASSWORD=$(kafka_password "$user")"
  export "${prefix}KAFKA_SSL_CA_FILE=$TLS_CA_FILE"
}
