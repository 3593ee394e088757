import pytest

from infra import settings


def test_embedded_defaults_need_no_environment(tmp_path):
    env = {"GOV_VAR_DIR": str(tmp_path)}
    assert settings.tracker_store_url(env) == f"sqlite:///{tmp_path / 'tracker.db'}"
    assert settings.redis_lock_url(env) is None
    assert settings.event_broker(env) is None


def test_production_urls_come_from_environment():
    env = {
        "TRACKER_STORE_URL": "postgresql://rasa:pw@db:5432/rasa",
        "LOCK_STORE_URL": "redis://cache:6379/1",
        "EVENT_BROKER_URL": "amqp://user:secret@mq:5673",
        "EVENT_BROKER_QUEUE": "events",
    }
    assert settings.tracker_store_url(env) == "postgresql://rasa:pw@db:5432/rasa"
    assert settings.redis_lock_url(env) == "redis://cache:6379/1"
    assert settings.event_broker(env) == settings.BrokerSettings(
        host="mq", port=5673, username="user", password="secret", queue="events"
    )


@pytest.mark.parametrize("url", ["redis://mq:5672", "mq:5672", "amqp://"])
def test_bad_broker_url_is_explained(url):
    with pytest.raises(ValueError, match="EVENT_BROKER_URL"):
        settings.event_broker({"EVENT_BROKER_URL": url})


def test_gateway_defaults_to_the_local_development_gateway():
    gateway = settings.edistrict_gateway({})
    assert gateway.url == gateway.public_url == "http://127.0.0.1:8001"
    assert gateway.token == settings.DEV_SERVICE_TOKEN


def test_gateway_token_goes_only_to_its_own_origins():
    gateway = settings.edistrict_gateway(
        {
            "EDISTRICT_URL": "http://edistrict.internal:8001/",
            "EDISTRICT_PUBLIC_URL": "https://EDistrict.Delhi.gov.in",
            "EDISTRICT_SERVICE_TOKEN": "s3cret",
        }
    )
    assert gateway.token == "s3cret"
    assert gateway.origins() == {
        "http://edistrict.internal:8001",
        "https://edistrict.delhi.gov.in:443",
    }
    assert settings.origin("https://edistrict.delhi.gov.in/api/x.pdf") in (
        gateway.origins()
    )
    assert settings.origin("https://edistrict.delhi.gov.in.evil.org/x") not in (
        gateway.origins()
    )
    assert settings.origin("http://edistrict.delhi.gov.in/x") not in gateway.origins()
