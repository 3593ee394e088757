from rasa_sdk import Tracker
from rasa_sdk.events import (
    ActionExecuted,
    ConversationPaused,
    SessionStarted,
    SlotSet,
)
from rasa_sdk.executor import CollectingDispatcher

from actions.form_steps import new_draft
from actions.session import ActionSessionStart, unfinished_draft


def tracker_with(slots):
    return Tracker("citizen", slots, {}, [], False, None, {}, "action_listen")


def test_a_returning_citizen_is_offered_their_draft_in_their_language():
    draft = new_draft("birth_certificate")
    draft["answers"] = {"child_name": "Asha"}
    dispatcher = CollectingDispatcher()
    events = ActionSessionStart().run(
        dispatcher, tracker_with({"application": draft, "language": "hinglish"}), {}
    )
    assert events[0] == SessionStarted()
    assert SlotSet("language", "hinglish") in events
    kept = next(e["value"] for e in events if e.get("name") == "drafts")
    assert kept["birth_certificate"]["answers"] == {"child_name": "Asha"}
    [offer] = dispatcher.messages
    assert offer["response"] == "utter_draft_found"
    assert (
        offer["buttons"][0]["payload"]
        == '/apply_service{"service":"birth_certificate"}'
    )


def test_nothing_is_offered_without_a_draft():
    dispatcher = CollectingDispatcher()
    ActionSessionStart().run(dispatcher, tracker_with({"language": "hi"}), {})
    assert dispatcher.messages == []
    assert unfinished_draft({"application": {"status": "cancelled"}}) is None


def test_a_conversation_with_a_helpdesk_agent_stays_paused_in_a_new_session():
    """Rasa's session start would end the pause: the agent would talk over the assistant."""
    draft = new_draft("birth_certificate")
    slots = {"application": draft, "language": "hi"}
    paused = Tracker("citizen", slots, {}, [], True, None, {}, "action_listen")
    dispatcher = CollectingDispatcher()
    events = ActionSessionStart().run(dispatcher, paused, {})
    assert events[0] == SessionStarted() and SlotSet("language", "hi") in events
    assert events[-2:] == [ActionExecuted("action_listen"), ConversationPaused()]
    assert dispatcher.messages == []  # the agent is talking: no draft offer
