"""Processing times read naturally ("1 day", never "1 days") and say how the service works."""

import pytest

from actions.replies import days_text


@pytest.mark.parametrize(
    "days, language, text",
    [
        (1, "en", "1 day"),
        (7, "en", "7 days"),
        (1, "hi", "1 दिन"),
        (21, "hi", "21 दिनों"),
        (1, "hinglish", "1 din"),
    ],
)
def test_days_text(days, language, text):
    assert days_text(days, language) == text


@pytest.mark.parametrize("language", ["en", "hi", "hinglish"])
def test_the_processing_time_answer_tells_how_the_service_works(language):
    from actions.replies import info_reply
    from catalog.loader import load_catalog

    service = load_catalog()["birth_certificate"]
    reply = info_reply("ask_processing_time", service, language)
    assert reply.response == "utter_service_time"
    assert reply.params["how_it_works"] == service.how_it_works[language]
    assert reply.params["days"] == days_text(service.sla_days, language)
