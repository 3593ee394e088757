"""Answer first: inside the form a message is read as the answer before as a command.

Each case is a kind of message seen in real conversations, with the intent and confidence
the NLU may give it; the form must store the answer (or reject it politely) and only
interrupt for explicit cancel wording, side questions that are not answers, or another
service.
"""

import re
from datetime import date
from pathlib import Path

import pytest
import yaml

from actions import answer_words
from actions.form import ActionAskApplicationStep
from actions.form_steps import (
    GIVEN,
    asks_to_stop,
    handle_answer,
    new_draft,
    next_step,
    summary_items,
)
from actions.reading import Incoming
from catalog.loader import load_catalog

TODAY = date(2026, 11, 28)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(Path(__file__).parent / "catalog")


def at_field(catalog, name, **answers):
    """A test_answers draft whose open question is ``name``."""
    draft = new_draft("test_answers")
    draft["consent"] = GIVEN
    draft["answers"].update(answers)
    service = catalog["test_answers"]
    for item in service.fields:
        if item.name == name:
            break
        draft["answers"].setdefault(item.name, "x")
    assert next_step(draft, catalog).name == name
    return draft


def say(draft, catalog, text, intent="inform", confidence=0.95, language="en", **extra):
    message = Incoming(text=text, intent=intent, confidence=confidence, **extra)
    return [r.response for r in handle_answer(draft, message, catalog, language, TODAY)]


@pytest.mark.parametrize(
    "field, text, intent, confidence, stored",
    [
        ("purpose", "College admission", "apply_service", 0.93, "College admission"),
        (
            "purpose",
            "scholarship ke liye",
            "apply_service",
            0.88,
            "scholarship ke liye",
        ),
        ("purpose", "पत्नी", "ask_eligibility", 0.93, "पत्नी"),
        ("purpose", "documents", "ask_documents", 0.95, "documents"),
        ("father_name", "बनवारी लाल", "talk_to_human", 0.76, "बनवारी लाल"),
        ("father_name", "mera naam wala nahi, pita ji: Ram Lal", "inform", 0.5, None),
        ("gender", "aadmi", "talk_to_human", 0.91, "male"),
        ("gender", "ladki", "greet", 0.85, "female"),
        ("spouse_name", "छोड़ें", "stop", 0.97, None),
        ("spouse_name", "नहीं", "deny", 0.99, None),
        ("spouse_name", "शादी नहीं हुई", "deny", 0.9, None),
        ("spouse_name", "skip", "stop", 0.9, None),
        ("spouse_name", "chhodiye", "stop", 0.9, None),
        ("spouse_name", "छोड़ दीजिए", "stop", 0.9, None),
        ("spouse_name", "isko chhod do ji", "deny", 0.8, None),
        ("spouse_name", "unka naam nahi pata, skip", "inform", 0.8, None),
        ("spouse_name", "मुझे पता नहीं", "deny", 0.8, None),
        (
            "spouse_name",
            "Suresh Kumar, surname pata nahi",
            "inform",
            0.8,
            "Suresh Kumar",
        ),
        ("age", "40 years", "inform", 0.6, 40),
        ("age", "४५ साल", "inform", 0.6, 45),
    ],
)
def test_an_answer_is_stored_whatever_the_intent(
    catalog, field, text, intent, confidence, stored
):
    draft = at_field(catalog, field)
    replies = say(draft, catalog, text, intent=intent, confidence=confidence)
    if stored is None and field == "father_name":
        assert field not in draft["answers"]  # a sentence is not a name
        return
    assert draft["answers"][field] == stored, replies
    assert draft["pending"] is None
    assert "utter_human_handoff" not in replies


@pytest.mark.parametrize(
    "field, text, intent",
    [
        ("father_name", "Hi", "greet"),
        ("father_name", "नमस्ते", "greet"),
        ("father_name", "ok", "affirm"),
        ("father_name", "नहीं", "deny"),
        ("father_name", "haan ji", "affirm"),
        ("purpose", "hello", "greet"),
        ("purpose", "thank you", "thank"),
        ("purpose", "continue", "stop"),
        ("age", "hi", "greet"),
    ],
)
def test_greetings_and_acknowledgements_are_not_answers(catalog, field, text, intent):
    draft = at_field(catalog, field)
    replies = say(draft, catalog, text, intent=intent, confidence=0.99)
    assert field not in draft["answers"]
    assert draft["pending"] is None
    assert replies == ["utter_invalid_not_an_answer"]


def test_the_not_an_answer_message_names_the_field_and_a_valid_example(catalog):
    draft = at_field(catalog, "father_name")
    message = Incoming(text="Hi", intent="greet", confidence=0.99)
    (reply,) = handle_answer(draft, message, catalog, "hi", TODAY)
    assert reply.params["label"] == "पिता का नाम"
    assert reply.params["example"] == "बनवारी लाल"


@pytest.mark.parametrize(
    "text, confidence",
    [("cancel", 0.6), ("form cancel karo", 0.9), ("आवेदन रद्द करें", 0.95), ("/stop", 1)],
)
def test_explicit_cancel_wording_asks_for_confirmation(catalog, text, confidence):
    draft = at_field(catalog, "purpose", father_name="Ram Lal")
    say(draft, catalog, text, intent="stop", confidence=confidence)
    assert next_step(draft, catalog).kind == "confirm_stop"
    assert "purpose" not in draft["answers"]


@pytest.mark.parametrize("answer", ["nahi", "continue", "जारी रखें", "what?"])
def test_the_cancel_confirmation_keeps_the_data_unless_confirmed(catalog, answer):
    draft = at_field(catalog, "purpose", father_name="Ram Lal")
    say(draft, catalog, "cancel", intent="stop")
    say(draft, catalog, answer, intent="affirm", confidence=0.6)
    assert draft["status"] == "open"
    assert draft["answers"]["father_name"] == "Ram Lal"
    if answer != "what?":
        assert next_step(draft, catalog).name == "purpose"


def test_yes_at_the_cancel_confirmation_cancels(catalog):
    draft = at_field(catalog, "purpose")
    say(draft, catalog, "cancel", intent="stop")
    assert say(draft, catalog, "haan", intent="affirm") == [
        "utter_application_cancelled"
    ]
    assert draft["status"] == "cancelled"


def test_skip_words_never_cancel():
    for word in answer_words.every(answer_words.SKIP):
        assert not answer_words.says_stop(word), word
        assert not asks_to_stop(Incoming(text=word, intent="stop", confidence=0.99))


def test_the_offered_skip_word_skips(catalog):
    service = catalog["test_answers"]
    for language in ("en", "hi", "hinglish"):
        question = ActionAskApplicationStep.field_question(
            service, "spouse_name", language
        )
        assert question.response == "utter_ask_optional_field"
        skip = question.params["skip"]
        assert {"title": skip, "payload": skip} in question.buttons
        draft = at_field(catalog, "spouse_name")
        say(draft, catalog, skip, intent="stop", confidence=0.99, language=language)
        assert draft["answers"]["spouse_name"] is None
        assert next_step(draft, catalog).name == "purpose"


@pytest.mark.parametrize(
    "text, intent, reply",
    [
        ("fees kitni hai?", "ask_fee", "utter_service_fee"),
        ("kaun se documents lagenge", "ask_documents", "utter_service_documents"),
        ("mujhe kisi se baat karni hai", "talk_to_human", "utter_human_handoff"),
    ],
)
def test_sure_side_questions_at_free_text_are_answered_not_stored(
    catalog, text, intent, reply
):
    draft = at_field(catalog, "purpose")
    replies = say(draft, catalog, text, intent=intent, confidence=0.95)
    assert "purpose" not in draft["answers"]
    assert replies and replies[0].startswith(reply.rsplit("_", 1)[0])


def test_a_side_question_that_is_not_an_answer_interrupts_a_structured_field(catalog):
    draft = at_field(catalog, "age")
    replies = say(draft, catalog, "fee kitni lagegi", intent="ask_fee", confidence=0.8)
    assert "age" not in draft["answers"]
    assert replies and replies[0].startswith("utter_service_fee")


@pytest.mark.parametrize(
    "text, intent, confidence, answered",
    [
        ("kitne din lagenge?", "ask_processing_time", 0.55, True),
        ("which papers are needed for this", "ask_documents", 0.6, True),
        # not in question form, or the NLU too unsure: the field is asked again
        ("papers needed", "ask_documents", 0.6, False),
        ("kitne din lagenge?", "ask_processing_time", 0.4, False),
    ],
)
def test_a_fairly_sure_question_that_is_no_answer_is_answered(
    catalog, text, intent, confidence, answered
):
    draft = at_field(catalog, "age")
    replies = say(draft, catalog, text, intent=intent, confidence=confidence)
    assert "age" not in draft["answers"]
    assert (replies[0].startswith("utter_service_")) is answered


def test_a_sure_request_for_another_service_is_not_saved_as_a_name(catalog):
    draft = at_field(catalog, "father_name")
    say(
        draft,
        catalog,
        "apply for test licence",
        intent="apply_service",
        entities={"service": "test_licence"},
    )
    assert "father_name" not in draft["answers"]
    assert next_step(draft, catalog).kind == "confirm_switch"


def test_a_service_guessed_from_a_free_text_answer_does_not_switch(catalog):
    draft = at_field(catalog, "purpose")
    say(
        draft,
        catalog,
        "School admission (EWS) ke liye chahiye",
        intent="apply_service",
        entities={"service": "test_licence"},
        guessed_service=True,
    )
    assert draft["answers"]["purpose"] == "School admission (EWS) ke liye chahiye"


@pytest.mark.parametrize(
    "text",
    [
        "fee kitni hai aur kitne din lagenge?",
        "how much is the fee for the certificate?",
    ],
)
def test_a_side_question_at_a_document_step_is_answered_as_asked(catalog, text):
    draft = answered(catalog)
    replies = say(draft, catalog, text, intent="ask_fee", confidence=0.9)
    assert replies == ["utter_service_fee"]


def test_a_valid_structured_answer_with_a_service_word_stays_an_answer(catalog):
    draft = at_field(catalog, "gender")
    say(
        draft,
        catalog,
        "ladki hai, test licence wali",
        intent="apply_service",
        entities={"service": "test_licence"},
    )
    assert draft["answers"]["gender"] == "female"
    assert next_step(draft, catalog).kind != "confirm_switch"


@pytest.mark.parametrize(
    "confidence, reply",
    [(0.9, "utter_out_of_scope"), (0.5, "utter_invalid_not_an_answer")],
)
def test_a_question_is_never_stored_as_free_text(catalog, confidence, reply):
    draft = at_field(catalog, "purpose")
    replies = say(
        draft,
        catalog,
        "school admission ki last date kya hai?",
        intent="out_of_scope",
        confidence=confidence,
    )
    assert "purpose" not in draft["answers"]
    assert replies[0] == reply


def test_another_service_asks_before_leaving_and_no_keeps_everything(catalog):
    draft = at_field(catalog, "age", father_name="Ram Lal")
    say(
        draft,
        catalog,
        "mujhe test licence chahiye",
        intent="apply_service",
        entities={"service": "test_licence"},
    )
    assert next_step(draft, catalog).kind == "confirm_switch"
    say(draft, catalog, "nahi", intent="deny")
    assert draft["service"] == "test_answers"
    assert draft["answers"]["father_name"] == "Ram Lal"
    assert next_step(draft, catalog).name == "age"


def test_apply_service_for_the_same_service_is_read_as_the_answer(catalog):
    draft = at_field(catalog, "purpose")
    say(
        draft,
        catalog,
        "test answers certificate for my job",
        intent="apply_service",
        entities={"service": "test_answers"},
    )
    assert draft["answers"]["purpose"] == "test answers certificate for my job"


@pytest.mark.parametrize(
    "text", ["जी, 2 नंबर वाला गलत है", "haan 2 wala galat hai", "yes, no. 2 is wrong"]
)
def test_a_yes_word_with_a_fault_at_the_summary_edits_the_item(catalog, text):
    draft = answered(catalog)
    say(draft, catalog, "skip")  # the optional document
    say(draft, catalog, text, intent="affirm", confidence=0.95)
    assert (
        draft.get("editing")
        == summary_items(draft, catalog["test_answers"], "en")[1][0]
    )
    assert not draft.get("summary_ok")


@pytest.mark.parametrize(
    "text", ["sab sahi hai kuch galat nahi", "सब सही है, कुछ गलत नहीं"]
)
def test_nothing_wrong_at_the_summary_confirms(catalog, text):
    draft = answered(catalog)
    say(draft, catalog, "skip")  # the optional document
    say(draft, catalog, text, intent="affirm", confidence=0.95)
    assert draft.get("summary_ok")


def test_a_number_at_the_summary_edits_that_item(catalog):
    draft = answered(catalog)
    say(draft, catalog, "skip")  # the optional document
    assert next_step(draft, catalog).kind == "summary"
    say(draft, catalog, "1", intent="affirm", confidence=0.9)
    assert next_step(draft, catalog) == next_step(
        {**draft, "editing": "father_name"}, catalog
    )
    assert draft["editing"] == "father_name"
    assert draft["summary_ok"] is False


def _invalid_responses():
    data = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))
    return {
        name: variations
        for name, variations in data["responses"].items()
        if name.startswith("utter_invalid_")
    }


def test_error_messages_take_their_examples_from_the_catalog():
    """Literal examples in error messages went stale (an Aadhaar that fails its checksum);
    every example comes from the field's catalog example, which is validated."""
    responses = _invalid_responses()
    assert "utter_invalid_aadhaar" in responses
    literal_example = re.compile(r"\d{4,}|\d+/\d+|@\w")
    for name, variations in responses.items():
        for variation in variations:
            assert not literal_example.search(variation["text"]), (name, variation)


@pytest.mark.parametrize(
    "text, value",
    [
        ("जी हाँ, विवाहित हूँ", True),
        ("haan shaadi shuda h", True),
        ("yes married", True),
        ("nahi, unmarried hu", False),
        ("No, I am not married", False),
        ("Very well. Yes, I am eligible.", True),
        ("मेरी शादी नहीं हुई", False),
    ],
)
def test_a_yes_or_no_opening_a_longer_answer_counts(text, value):
    from actions.validators import Valid, validate_yes_no

    assert validate_yes_no(text) == Valid(value, "✓" if value else "✗")


@pytest.mark.parametrize(
    "text, intent",
    [
        ("हैलो", "greet"),
        ("हैलो जी", "greet"),
        # "leave it" does not skip a required name, nor becomes one
        ("छोड़ दीजिए", "stop"),
        ("chhod do", "stop"),
    ],
)
def test_greetings_and_skip_words_are_not_a_name(catalog, text, intent):
    draft = at_field(catalog, "father_name")
    replies = say(draft, catalog, text, intent=intent, confidence=0.97)
    assert "father_name" not in draft["answers"]
    assert replies == ["utter_invalid_not_an_answer"]


def answered(catalog):
    draft = at_field(catalog, "father_name")
    for text in ("Ram Lal", "male", "skip", "job", "40"):
        say(draft, catalog, text)
    return draft


@pytest.mark.parametrize(
    "text, answered_with_documents",
    [
        ("wat is hospital slip", True),
        ("अस्पताल की पर्ची कैसी होनी चाहिए?", True),
        ("what is the fee?", False),  # a question, but not about this document
        ("hospital slip", False),  # not a question
    ],
)
def test_a_question_about_the_document_asked_for_gets_the_documents_list(
    catalog, text, answered_with_documents
):
    draft = answered(catalog)
    assert next_step(draft, catalog).name == "hospital_slip"
    replies = say(draft, catalog, text, intent="inform", confidence=0.98)
    assert (replies == ["utter_service_documents"]) is answered_with_documents
    assert next_step(draft, catalog).name == "hospital_slip"


@pytest.mark.parametrize("text", ["skip", "नहीं है", "chhodiye"])
def test_an_optional_document_is_offered_and_can_be_skipped(catalog, text):
    draft = answered(catalog)
    assert next_step(draft, catalog).name == "hospital_slip"
    service = catalog["test_answers"]
    assert not service.document_named("hospital_slip").required
    say(draft, catalog, text, intent="deny")
    assert draft["documents"]["hospital_slip"] == "skipped"
    assert next_step(draft, catalog).kind == "summary"


def test_an_optional_document_can_be_sent(catalog):
    draft = answered(catalog)
    document = {"id": "ab" * 32, "mime_type": "image/jpeg", "size": 10}
    replies = say(
        draft,
        catalog,
        "/document_uploaded",
        intent="document_uploaded",
        document=document,
    )
    assert replies == ["utter_document_received"]
    assert draft["documents"]["hospital_slip"] == document


@pytest.mark.parametrize(
    "text",
    [
        "who can apply for this? yes or no?",
        "I don't earn anything",
        "can't say, yes or no",
    ],
)
def test_questions_and_mixed_answers_are_not_yes_or_no(text):
    from actions.validators import Invalid, validate_yes_no

    assert validate_yes_no(text) == Invalid("yes_no")


@pytest.mark.parametrize(
    "text, intent",
    [
        ("Hold on, I found it! Please cancel this application", "inform"),
        ("ye form band kar do", "deny"),
        ("मेरा आवेदन रद्द कर दीजिए", "out_of_scope"),
        ("hang on, cancel this, the papers are not with me", "send_later"),
        ("इसे रद्द कर दो, बाद में देखेंगे", "send_later"),
        ("ise cancel kar do abhi", "inform"),
    ],
)
def test_cancelling_the_application_in_so_many_words(catalog, text, intent):
    draft = at_field(catalog, "purpose")
    say(draft, catalog, text, intent=intent, confidence=0.6)
    assert next_step(draft, catalog).kind == "confirm_stop"


@pytest.mark.parametrize(
    "text", ["can i cancel this later?", "cancel karne ki fees kitni hai"]
)
def test_a_question_about_cancelling_does_not_cancel(catalog, text):
    draft = at_field(catalog, "purpose")
    say(draft, catalog, text, intent="ask_fee", confidence=0.8)
    assert next_step(draft, catalog).kind != "confirm_stop"


def test_an_optional_field_answered_with_a_negation_is_skipped(catalog):
    draft = at_field(catalog, "spouse_name")
    say(draft, catalog, "not made yet", intent="deny", confidence=0.8)
    assert draft["answers"]["spouse_name"] is None


@pytest.mark.parametrize("field", ["purpose", "age"])
def test_an_off_topic_question_is_answered_and_the_question_stays(catalog, field):
    draft = at_field(catalog, field)
    replies = say(draft, catalog, "who won the IPL match today?", intent="out_of_scope")
    assert replies == ["utter_out_of_scope"]
    assert field not in draft["answers"]


@pytest.mark.parametrize(
    "text, intent",
    [
        ("papa ka test licence bhi karna h, wo kar do", "inform"),
        ("test licence", "ask_fee"),
    ],
)
def test_another_service_named_instead_of_an_answer_asks_to_switch(
    catalog, text, intent
):
    draft = at_field(catalog, "age", father_name="Ram Lal")
    say(draft, catalog, text, intent=intent, entities={"service": "test_licence"})
    assert next_step(draft, catalog).kind == "confirm_switch"
    assert draft["answers"]["father_name"] == "Ram Lal"


@pytest.mark.parametrize("text", ["Kindly amend item 1.", "1 badlo", "नंबर 1 बदलें"])
def test_an_item_number_in_a_sentence_at_the_summary(catalog, text):
    draft = answered(catalog)
    say(draft, catalog, "skip")
    say(draft, catalog, text, intent="inform")
    assert draft["editing"] == "father_name"


@pytest.mark.parametrize("text", ["Looks good now", "sab sahi hai", "सब ठीक है, जमा करें"])
def test_everything_is_right_at_the_summary(catalog, text):
    draft = answered(catalog)
    say(draft, catalog, "skip")
    say(draft, catalog, text, intent="inform", confidence=0.5)
    assert draft["summary_ok"] is True


@pytest.mark.parametrize(
    "text, key",
    [
        ("father ka naam galat hai", "father_name"),
        ("पिता का नाम बदलना है", "father_name"),
        ("the purpose is wrong, I want to change it", "purpose"),
    ],
)
def test_a_row_named_in_any_language_at_the_summary(catalog, text, key):
    draft = answered(catalog)
    say(draft, catalog, "skip")
    say(draft, catalog, text, intent="inform", confidence=0.5, language="hinglish")
    assert draft["editing"] == key
    assert draft["summary_ok"] is False


@pytest.mark.parametrize("text", ["affidavit baad me", "will send it later"])
def test_a_document_put_off_in_a_sentence(catalog, text):
    draft = answered(catalog)
    say(draft, catalog, text, intent="inform", confidence=0.5)
    assert draft["documents"]["hospital_slip"] == "later"


def test_a_long_name_is_never_taken_for_an_off_topic_question(catalog):
    draft = at_field(catalog, "father_name")
    say(
        draft,
        catalog,
        "Mr. Devender Singh Rawat",
        intent="out_of_scope",
        confidence=0.9,
    )
    assert draft["answers"]["father_name"] == "Devender Singh Rawat"  # no title


def test_ok_sir_is_not_a_name(catalog):
    draft = at_field(catalog, "father_name")
    assert say(draft, catalog, "ok sir", intent="affirm") == [
        "utter_invalid_not_an_answer"
    ]


def test_an_optional_document_the_citizen_does_not_have(catalog):
    draft = answered(catalog)
    say(draft, catalog, "hospital ki parchi nahi hai", intent="inform", confidence=0.5)
    assert draft["documents"]["hospital_slip"] == "skipped"


def test_a_valid_answer_with_a_service_word_is_an_answer(catalog):
    draft = at_field(catalog, "purpose")
    say(
        draft,
        catalog,
        "test licence office ke liye",
        entities={"service": "test_licence"},
    )
    assert draft["answers"]["purpose"] == "test licence office ke liye"
    assert draft["pending"] is None


def test_a_statement_at_a_free_text_question_is_the_answer(catalog):
    draft = at_field(catalog, "purpose")
    say(draft, catalog, "For DSSSB teacher recruitment", intent="out_of_scope")
    assert draft["answers"]["purpose"] == "For DSSSB teacher recruitment"


@pytest.mark.parametrize("text", ["नहीं, रद्द मत करो, आगे चलो", "no no, continue please"])
def test_dont_cancel_in_a_sentence_keeps_the_application(catalog, text):
    draft = at_field(catalog, "purpose", father_name="Ram Lal")
    say(draft, catalog, "cancel", intent="stop")
    say(draft, catalog, text, intent="stop", confidence=1.0)
    assert draft["status"] == "open"
    assert draft["answers"]["father_name"] == "Ram Lal"


@pytest.mark.parametrize(
    "text, question",
    [
        ("wat is form 1", True),
        ("fees how much", True),
        ("can I apply online", True),
        ("For DSSSB teacher recruitment", False),
        ("House 12 is near the temple", False),
    ],
)
def test_what_counts_as_a_question(text, question):
    assert answer_words.is_question(text) is question


@pytest.mark.parametrize("text", ["Ram Prasad", "राम प्रसाद"])
def test_a_name_the_nlu_takes_for_a_greeting_is_a_name(catalog, text):
    draft = at_field(catalog, "father_name")
    say(draft, catalog, text, intent="greet", confidence=0.99)
    assert draft["answers"]["father_name"] == text


@pytest.mark.parametrize(
    "text",
    [
        "mujhe kisi insaan se baat karni hai",
        "kisi bnde se bat krni h",
        "मुझे किसी अधिकारी से बात करनी है",
        "can I speak to someone",
    ],
)
def test_asking_for_a_person_at_a_name_question_is_no_name(catalog, text):
    """Seen end to end: "mujhe kisi insaan se baat karni hai" was saved as a name."""
    draft = at_field(catalog, "father_name")
    replies = say(draft, catalog, text, intent="talk_to_human", confidence=0.99)
    assert "father_name" not in draft["answers"]
    assert replies == ["utter_human_handoff"]


@pytest.mark.parametrize(
    "name",
    ["Suvendu Adhikari", "सुवेंदु अधिकारी", "Honeypreet Insan", "Bande Ali", "Karni Singh"],
)
def test_real_names_with_words_of_a_request_for_a_person_are_names(catalog, name):
    draft = at_field(catalog, "father_name")
    say(draft, catalog, name)
    assert draft["answers"]["father_name"] == name
