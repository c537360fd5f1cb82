"""Production refuses every development secret; development runs on them without any setup."""

import pytest
from pydantic import SecretStr, ValidationError
from servicekit.settings import ServiceSettings


class ExampleSettings(ServiceSettings):
    database_url: SecretStr = SecretStr("postgresql+asyncpg://x:dev-only-password@127.0.0.1/x")


def test_development_runs_on_the_development_defaults(monkeypatch):
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    assert ExampleSettings().environment == "development"


def test_production_refuses_a_development_secret(monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="database_url"):
        ExampleSettings()


SECURE = {
    "database_url": SecretStr("postgresql+asyncpg://x:s3cr3t-from-vault@db/x"),
    "database_sslmode": "verify-full",
    "jwks_url": "https://auth.internal/.well-known/jwks.json",
    "kafka_security_protocol": "SASL_SSL",
    "kafka_username": "scheduling",
    "kafka_password": SecretStr("s3cr3t-from-vault"),
}


def test_production_accepts_real_secrets_over_encrypted_transport(monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "production")
    assert ExampleSettings(**SECURE).is_production


@pytest.mark.parametrize(
    ("insecure", "refusal"),
    [
        ({"jwks_url": "http://auth.internal/.well-known/jwks.json"}, "JWKS_URL must be https"),
        ({"kafka_security_protocol": "PLAINTEXT"}, "KAFKA_SECURITY_PROTOCOL=PLAINTEXT"),
        ({"kafka_security_protocol": "SASL_PLAINTEXT"}, "KAFKA_SECURITY_PROTOCOL=SASL_PLAINTEXT"),
        ({"database_sslmode": "prefer"}, "DATABASE_SSLMODE=prefer to db"),
        ({"database_sslmode": "disable"}, "DATABASE_SSLMODE=disable to db"),
    ],
)
def test_production_refuses_each_insecure_transport(monkeypatch, insecure, refusal):
    monkeypatch.setenv("ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match=refusal):
        ExampleSettings(**{**SECURE, **insecure})


def test_production_lets_an_unencrypted_database_connection_stay_on_the_machine(monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "production")
    local = SecretStr("postgresql+asyncpg://x:s3cr3t-from-vault@127.0.0.1:5432/x")
    assert ExampleSettings(**{**SECURE, "database_url": local, "database_sslmode": "disable"})


def test_development_may_run_every_transport_in_the_clear(monkeypatch):
    monkeypatch.delenv("ENVIRONMENT", raising=False)
    settings = ExampleSettings(
        database_url=SecretStr("postgresql+asyncpg://x:dev-only-password@db/x"),
        database_sslmode="disable",
        kafka_security_protocol="PLAINTEXT",
    )
    assert settings.jwks_url.startswith("http://")


def test_sasl_needs_a_username_and_a_password():
    with pytest.raises(ValidationError, match="needs KAFKA_USERNAME and KAFKA_PASSWORD"):
        ExampleSettings(kafka_security_protocol="SASL_SSL", kafka_username="scheduling")


def test_secrets_never_show_in_the_settings_repr():
    assert "dev-only-password" not in repr(ExampleSettings())
