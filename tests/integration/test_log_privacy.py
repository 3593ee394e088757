"""No process of the stack writes a citizen's Aadhaar or mobile number to its log.

Rasa runs with ``LOG_LEVEL=DEBUG`` here, so its log holds every message and every slot
value (see ``conftest.e2e``): the numbers reach the log lines and must arrive masked
(``delhi/redaction.py``, installed by each process's entry point).
"""

from __future__ import annotations

import re
import uuid

from tests.integration.e2e import Stack, apply_over_rest, check_at_gateway

PERSONAL_TYPES = ("aadhaar", "mobile")


def test_a_completed_application_leaves_no_personal_number_in_any_log(e2e: Stack):
    sender = f"e2e-privacy-{uuid.uuid4().hex[:6]}"
    done = apply_over_rest(e2e, sender, "domicile_certificate", "hi")
    check_at_gateway(e2e, done)
    service = e2e.catalog["domicile_certificate"]
    numbers = {
        re.sub(r"\D", "", str(value))[-10:]  # a mobile's 10 digits without +91
        if service.field_named(name).type == "mobile"
        else re.sub(r"\D", "", str(value))
        for name, value in done.expected_fields.items()
        if service.field_named(name).type in PERSONAL_TYPES
    }
    assert len(numbers) == 2, done.expected_fields
    logs = {
        server.name: server.log_path.read_text(errors="replace")
        for server in (e2e.rasa, e2e.actions, e2e.gateway)
    }
    assert sender in logs["rasa"]  # the conversation was logged, DEBUG and all
    for name, text in logs.items():
        digits_only = re.sub(r"(?<=\d)[ \-](?=\d)", "", text)
        for number in numbers:
            assert number not in digits_only, (
                f"{number[-4:]} in clear in the {name} log"
            )
    aadhaar = next(n for n in numbers if len(n) == 12)
    masked = re.compile(rf"X{{4}}[ -]?X{{4}}[ -]?{aadhaar[-4:]}")
    assert masked.search(logs["rasa"]), "Rasa never logged the Aadhaar (masked)"
