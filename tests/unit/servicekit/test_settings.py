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


def test_production_accepts_real_secrets(monkeypatch):
    monkeypatch.setenv("ENVIRONMENT", "production")
    settings = ExampleSettings(
        database_url=SecretStr("postgresql+asyncpg://x:s3cr3t-from-vault@db/x")
    )
    assert settings.is_production


def test_secrets_never_show_in_the_settings_repr():
    assert "dev-only-password" not in repr(ExampleSettings())
