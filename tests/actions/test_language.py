import pytest
from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.language import ValidateSlotMappings, language_from_entity, next_language


@pytest.mark.parametrize(
    ("current", "locked", "intent", "requested", "detected", "expected"),
    [
        # follows the citizen's language
        ("en", False, "greet", None, "hi", {"language": "hi"}),
        ("en", False, "greet", None, "hinglish", {"language": "hinglish"}),
        ("hi", False, "help", None, "en", {"language": "en"}),
        # neutral messages ("ok", "hi", digits) carry no language: no flip
        ("hi", False, "affirm", None, None, {}),
        ("hinglish", False, "greet", None, None, {}),
        ("hi", False, "help", None, "hi", {}),
        # an explicit request wins and pins the choice
        (
            "en",
            False,
            "change_language",
            "Hindi",
            "en",
            {"language": "hi", "language_locked": True},
        ),
        (
            "hi",
            True,
            "change_language",
            "english",
            "hi",
            {"language": "en", "language_locked": True},
        ),
        (
            "hi",
            False,
            "change_language",
            "हिंग्लिश",
            "hi",
            {"language": "hinglish", "language_locked": True},
        ),
        # pinned: detection no longer moves it
        ("hi", True, "greet", None, "en", {}),
        # an unknown language name falls back to detection
        ("en", False, "change_language", "tamil", "hi", {"language": "hi"}),
    ],
)
def test_next_language(current, locked, intent, requested, detected, expected):
    assert next_language(current, locked, intent, requested, detected) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Hindi", "hi"),
        ("हिन्दी", "hi"),
        ("english", "en"),
        ("अंग्रेज़ी", "en"),
        ("hinglish", "hinglish"),
        ("french", None),
        (None, None),
        ("", None),
    ],
)
def test_language_from_entity(value, expected):
    assert language_from_entity(value) == expected


async def test_action_sets_slot_from_parse_data():
    tracker = Tracker(
        sender_id="citizen",
        slots={"language": "en", "language_locked": False},
        latest_message={
            "text": "namaste ji",
            "intent": {"name": "greet", "confidence": 0.9},
            "entities": [],
            "detected_language": "hinglish",
        },
        events=[],
        paused=False,
        followup_action=None,
        active_loop={},
        latest_action_name="action_listen",
    )
    domain = {
        "slots": {
            "language": {"mappings": [{"type": "custom"}]},
            "language_locked": {"mappings": [{"type": "custom"}]},
        }
    }
    events = await ValidateSlotMappings().run(CollectingDispatcher(), tracker, domain)
    assert SlotSet("language", "hinglish") in events


@pytest.mark.parametrize(
    "current, detected, expected",
    [
        ("hinglish", "en", {}),  # "baad me", "7 july 1988", an address
        ("en", "hinglish", {}),  # "bike gear wali"
        ("hi", "en", {}),  # "Ramesh", "15 Aug 1990" typed in Roman
        ("en", "hi", {}),  # "१५ अगस्त १९९०"
    ],
)
def test_form_answers_never_switch_the_language(current, detected, expected):
    assert (
        next_language(current, False, "inform", None, detected, answering=True)
        == expected
    )


def test_asking_for_a_language_inside_the_form_still_switches():
    assert next_language(
        "en", False, "change_language", "hindi", "en", answering=True
    ) == {"language": "hi", "language_locked": True}


@pytest.mark.parametrize(
    "current, detected, words, expected",
    [
        ("hinglish", "en", 2, {}),  # "status check"
        (
            "hinglish",
            "en",
            6,
            {"language": "en"},
        ),  # "I would like to continue in English"
        ("en", "hinglish", 2, {"language": "hinglish"}),  # "namaste ji"
    ],
)
def test_a_few_english_words_do_not_end_a_hinglish_conversation(
    current, detected, words, expected
):
    assert (
        next_language(current, False, "inform", None, detected, words=words) == expected
    )


def test_an_application_id_is_no_english():
    from actions.language import _without_ids

    assert _without_ids("DL-DIS-2026-000001 status check").split() == [
        "status",
        "check",
    ]
