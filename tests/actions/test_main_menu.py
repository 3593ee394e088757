"""The menu after a greeting: the catalog's popular services, all services, status."""

import re

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.catalog_access import get_catalog
from actions.services import ActionMainMenu
from tests.channels.whatsapp_limits import LIMITS

DEVANAGARI = re.compile(r"[\u0900-\u097F]")


def menu_buttons(language):
    tracker = Tracker("citizen", {"language": language}, {}, [], False, None, {}, "")
    dispatcher = CollectingDispatcher()
    ActionMainMenu().run(dispatcher, tracker, {})
    [message] = dispatcher.messages
    assert message["response"] == "utter_main_menu"
    return message["buttons"]


@pytest.mark.parametrize("language", ["en", "hi", "hinglish"])
def test_the_menu_fits_one_whatsapp_list_in_the_citizens_script(language):
    buttons = menu_buttons(language)
    catalog = get_catalog()
    assert [b["payload"] for b in buttons] == [
        *(f'/apply_service{{"service":"{s}"}}' for s in catalog.main_menu),
        "/list_services",
        "/check_status",
    ]
    assert len(buttons) <= LIMITS["list_rows"]
    titles = [b["title"] for b in buttons]
    assert len(set(titles)) == len(titles)
    if language == "hi":
        assert all(DEVANAGARI.search(t) for t in titles), titles
    else:
        assert not any(DEVANAGARI.search(t) for t in titles), titles
    assert titles[0] == catalog[catalog.main_menu[0]].names[language]
