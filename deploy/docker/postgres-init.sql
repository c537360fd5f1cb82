-- One database and one login role per service, each role reaching only its own database.
-- Idempotent psql script, run as a superuser: by deploy/local/postgres.sh on every start of the
-- local cluster, and by the postgres image's entrypoint on first start in docker-compose.
-- The passwords are development-only; production uses a managed PostgreSQL with real secrets.
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN', name)
FROM (VALUES ('auth_svc'), ('resources_svc'), ('scheduling_svc'), ('optimizer_svc'), ('interop_svc'),
              ('kit_test'))
  AS wanted(name)
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = name) \gexec

ALTER ROLE auth_svc       WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'dev-only-auth-db-password';
ALTER ROLE resources_svc  WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'dev-only-resources-db-password';
ALTER ROLE scheduling_svc WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'dev-only-scheduling-db-password';
ALTER ROLE optimizer_svc  WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'dev-only-optimizer-db-password';
ALTER ROLE interop_svc    WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'dev-only-interop-db-password';
ALTER ROLE kit_test       WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD 'dev-only-kit-test-db-password';

-- Prometheus' postgres exporter signs in as monitoring: pg_monitor reads the statistics views
-- and settings of every database, and nothing else (deploy/local/prometheus.sh).
SELECT 'CREATE ROLE monitoring LOGIN' WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'monitoring') \gexec
ALTER ROLE monitoring WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE CONNECTION LIMIT 3 PASSWORD 'dev-only-monitoring-db-password';
GRANT pg_monitor TO monitoring;

-- CREATE DATABASE cannot run inside a DO block, hence \gexec.
SELECT format('CREATE DATABASE %I OWNER %I ENCODING ''UTF8'' TEMPLATE template0', db, owner)
FROM (VALUES ('auth', 'auth_svc'), ('resources', 'resources_svc'),
             ('scheduling', 'scheduling_svc'), ('optimizer', 'optimizer_svc'),
             ('interop', 'interop_svc'),
             ('kit_test', 'kit_test')) AS wanted(db, owner)
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = db) \gexec

-- The owner may connect, create schemas and run its migrations; nobody else may connect.
SELECT format('ALTER DATABASE %I OWNER TO %I', db, owner),
       format('REVOKE ALL ON DATABASE %I FROM PUBLIC', db),
       format('GRANT CONNECT, TEMPORARY, CREATE ON DATABASE %I TO %I', db, owner)
FROM (VALUES ('auth', 'auth_svc'), ('resources', 'resources_svc'),
             ('scheduling', 'scheduling_svc'), ('optimizer', 'optimizer_svc'),
             ('interop', 'interop_svc'),
             ('kit_test', 'kit_test')) AS wanted(db, owner) \gexec

-- Exclusion constraints over (resource id, time range) need btree_gist: no double booking.
\connect resources
CREATE EXTENSION IF NOT EXISTS btree_gist;
\connect scheduling
CREATE EXTENSION IF NOT EXISTS btree_gist;
\connect kit_test
CREATE EXTENSION IF NOT EXISTS btree_gist;
