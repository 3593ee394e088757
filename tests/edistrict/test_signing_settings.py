"""Signing keys and tokens; configuration defaults and production requirements."""

from __future__ import annotations

from pathlib import Path

import pytest

from edistrict.settings import DEV_SERVICE_TOKEN, ConfigError, OfficerGrant, Settings
from edistrict.signing import InvalidToken, Signer, load_or_create_key


def test_dev_key_generated_once_and_reused(tmp_path: Path):
    settings = Settings(data_dir=tmp_path)
    first = Signer(load_or_create_key(settings))
    assert (tmp_path / "signing_key.pem").stat().st_mode & 0o777 == 0o600
    second = Signer(load_or_create_key(settings))
    token = first.sign({"n": "DLC-X"})
    assert second.verify(token) == {"n": "DLC-X"}


def test_tampered_or_foreign_tokens_fail(tmp_path: Path):
    signer = Signer(load_or_create_key(Settings(data_dir=tmp_path / "a")))
    other = Signer(load_or_create_key(Settings(data_dir=tmp_path / "b")))
    token = signer.sign({"n": "DLC-BIR-2026-000001", "a": "DL-BIR-2026-000001"})
    assert signer.verify(token)["n"] == "DLC-BIR-2026-000001"
    body, sig = token.split(".")
    forged = Signer(other.private_key).sign(
        {"n": "DLC-BIR-2026-000001", "a": "DL-BIR-2026-000001"}
    )
    for bad in (forged, f"{body}x.{sig}", f"{body}.{sig[:-2]}", "abc", f"{sig}.{body}"):
        with pytest.raises(InvalidToken):
            signer.verify(bad)


def test_key_from_environment_pem(tmp_path: Path):
    pem = (
        load_or_create_key(Settings(data_dir=tmp_path)),
        (tmp_path / "signing_key.pem").read_text(),
    )[1]
    settings = Settings.from_env(
        {"EDISTRICT_SIGNING_KEY": pem, "EDISTRICT_DATA_DIR": str(tmp_path / "other")}
    )
    signer = Signer(load_or_create_key(settings))
    assert not (tmp_path / "other" / "signing_key.pem").exists()
    assert Signer(load_or_create_key(Settings(data_dir=tmp_path))).verify(
        signer.sign({"k": 1})
    ) == {"k": 1}


def test_defaults_work_without_environment():
    settings = Settings.from_env({})
    assert settings.database_url.endswith("/var/edistrict.db")
    assert settings.service_token == DEV_SERVICE_TOKEN
    assert settings.officer_tokens == {"dev-officer": OfficerGrant("dev-officer-token")}
    assert settings.officer_tokens["dev-officer"].all_departments
    assert settings.download_link_ttl_seconds == 3600
    assert settings.verify_rate_limit == 20
    assert settings.link_key is None
    assert settings.max_upload_bytes == 5 * 1024 * 1024
    assert settings.port == 8001 and settings.rasa_url == "http://127.0.0.1:5005"
    assert settings.storage_backend == "local" and settings.run_worker is True


def test_production_has_no_dev_defaults():
    with pytest.raises(ConfigError, match="EDISTRICT_SERVICE_TOKEN"):
        Settings.from_env({"EDISTRICT_ENV": "production"})
    with pytest.raises(ConfigError, match="SIGNING_KEY"):
        Settings.from_env(
            {"EDISTRICT_ENV": "production", "EDISTRICT_SERVICE_TOKEN": "s"}
        )
    prod = Settings.from_env(
        {
            "EDISTRICT_ENV": "production",
            "EDISTRICT_SERVICE_TOKEN": "s",
            "EDISTRICT_SIGNING_KEY_FILE": "/k.pem",
        }
    )
    assert prod.officer_tokens == {} and prod.service_token == "s"
    with pytest.raises(ConfigError):
        Settings.from_env({"EDISTRICT_OFFICER_TOKENS": "no-colon"})
    with pytest.raises(ConfigError):
        Settings.from_env({"EDISTRICT_STORAGE": "s3"})


@pytest.mark.parametrize("mode", ["prod", "live", "Production2", "staging"])
def test_an_unknown_environment_name_is_refused_not_treated_as_development(mode):
    with pytest.raises(ConfigError, match="EDISTRICT_ENV"):
        Settings.from_env({"EDISTRICT_ENV": mode})
