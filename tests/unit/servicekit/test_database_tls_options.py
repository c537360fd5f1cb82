"""Each libpq sslmode opens the service's database connections as libpq would, and every
connection carries the statement and lock timeouts of the settings."""

from __future__ import annotations

import ssl
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from pydantic import SecretStr
from servicekit.db import ConnectOptions
from servicekit.settings import ServiceSettings

CA_NAME = "Surgery scheduling unit-test CA"


def make_ca(folder: Path, common_name: str = CA_NAME) -> str:
    """A self-signed certificate authority's certificate, written under `folder`; its path."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .sign(key, hashes.SHA256())
    )
    path = folder / "ca.crt"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(path)


@pytest.fixture(scope="module")
def ca_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    return make_ca(tmp_path_factory.mktemp("tls"))


def _trusts(context: ssl.SSLContext, common_name: str) -> bool:
    subjects = [dict(field[0] for field in ca["subject"]) for ca in context.get_ca_certs()]
    return any(subject.get("commonName") == common_name for subject in subjects)


def test_verify_full_checks_the_chain_against_the_given_ca_and_the_host_name(ca_file):
    context = ConnectOptions(sslmode="verify-full", ssl_ca_file=ca_file).ssl_argument
    assert isinstance(context, ssl.SSLContext)
    assert context.verify_mode == ssl.CERT_REQUIRED
    assert context.check_hostname
    assert context.minimum_version == ssl.TLSVersion.TLSv1_2
    assert _trusts(context, CA_NAME)


def test_verify_ca_checks_the_chain_but_not_the_host_name(ca_file):
    context = ConnectOptions(sslmode="verify-ca", ssl_ca_file=ca_file).ssl_argument
    assert isinstance(context, ssl.SSLContext)
    assert (context.verify_mode, context.check_hostname) == (ssl.CERT_REQUIRED, False)
    assert _trusts(context, CA_NAME)


def test_require_encrypts_without_verifying_unless_a_ca_is_given(ca_file):
    plain = ConnectOptions(sslmode="require").ssl_argument
    assert isinstance(plain, ssl.SSLContext)
    assert (plain.verify_mode, plain.check_hostname) == (ssl.CERT_NONE, False)
    # As libpq: with a root certificate, require verifies the chain like verify-ca.
    with_ca = ConnectOptions(sslmode="require", ssl_ca_file=ca_file).ssl_argument
    assert isinstance(with_ca, ssl.SSLContext)
    assert (with_ca.verify_mode, with_ca.check_hostname) == (ssl.CERT_REQUIRED, False)


@pytest.mark.parametrize(("sslmode", "argument"), [("prefer", "prefer"), ("allow", "allow")])
def test_prefer_and_allow_leave_the_fallback_to_asyncpg(sslmode, argument):
    assert ConnectOptions(sslmode=sslmode).ssl_argument == argument


def test_disable_connects_in_plain_text():
    assert ConnectOptions(sslmode="disable").ssl_argument is False


def test_a_missing_ca_file_fails_when_the_options_are_first_used(tmp_path: Path):
    options = ConnectOptions(sslmode="verify-full", ssl_ca_file=str(tmp_path / "absent.crt"))
    with pytest.raises(FileNotFoundError):
        options.asyncpg_arguments()


def test_every_connection_carries_the_statement_and_lock_timeouts_and_the_search_path():
    arguments = ConnectOptions(statement_timeout_ms=200, lock_timeout_ms=150).asyncpg_arguments(
        "schema_a, public"
    )
    assert arguments["server_settings"] == {
        "application_name": "surgery-scheduling",
        "statement_timeout": "200",
        "lock_timeout": "150",
        "search_path": "schema_a, public",
    }


def test_the_options_follow_the_services_settings(ca_file):
    settings = ServiceSettings(
        database_url=SecretStr("postgresql+asyncpg://u:p@db.hospital.example:5432/auth"),
        database_sslmode="verify-full",
        database_ssl_ca_file=ca_file,
        db_statement_timeout_ms=2_000,
        db_lock_timeout_ms=700,
    )
    assert ConnectOptions.of(settings) == ConnectOptions("verify-full", ca_file, 2_000, 700)


def test_without_settings_the_options_are_the_settings_defaults():
    defaults = ServiceSettings(database_url=SecretStr("postgresql+asyncpg://u:p@127.0.0.1/x"))
    assert ConnectOptions() == ConnectOptions.of(defaults)
