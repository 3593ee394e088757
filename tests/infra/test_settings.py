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
