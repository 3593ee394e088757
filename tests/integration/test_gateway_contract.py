"""The contract between the action server and the e-District gateway: the actions' own
client (``actions/edistrict_client.py``, typed by ``actions/gateway_models.py``) against
the real gateway app, for every endpoint it uses. The unit tests' fakes answer the shape
this test proves (``tests/actions/gateway_answers.py``).

Every service is submitted with the values the assistant's own validators make of the
catalog's examples: the gateway, checking identifiers with the same ``delhi/`` rules, must
take each of them.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Any, Dict, Iterator

import pytest
import requests

from actions.consent import record_consent
from actions.edistrict_client import ClientSettings, EDistrictClient, EDistrictError
from actions.form_steps import GIVEN
from actions.gateway_models import Application
from catalog.loader import load_catalog
from catalog.model import Service
from channels.documents import store_document
from channels.settings import DocumentSettings
from tests.integration.e2e import OFFICER_TOKEN, answer_field, jpeg
from tests.integration.servers import Server, free_port, gateway_server

CITIZEN = "919811100001"
SERVICE_TOKEN = "contract-service-token"
CATALOG = load_catalog()


@pytest.fixture(scope="module")
def gateway(tmp_path_factory) -> Iterator[Server]:
    root = tmp_path_factory.mktemp("gateway-contract")
    port = free_port()
    server = gateway_server(
        port,
        root,
        {
            "EDISTRICT_SERVICE_TOKEN": SERVICE_TOKEN,
            "EDISTRICT_OFFICER_TOKENS": f"dev-officer:{OFFICER_TOKEN}",
            "EDISTRICT_OUTBOX_WORKER": "false",
        },
    ).start()
    yield server
    server.stop()


def _url(server: Server) -> str:
    return f"http://127.0.0.1:{server.port}"


def documents(server: Server) -> DocumentSettings:
    """The channels' access to the gateway's document store."""
    return DocumentSettings.from_env(
        {"EDISTRICT_URL": _url(server), "EDISTRICT_SERVICE_TOKEN": SERVICE_TOKEN}
    )


def client(server: Server, citizen: str = CITIZEN) -> EDistrictClient:
    settings = ClientSettings(base_url=_url(server), token=SERVICE_TOKEN, attempts=1)
    return EDistrictClient(settings, citizen_id=citizen)


def answers_for(service: Service) -> Dict[str, Any]:
    """What the assistant would send: the validated catalog example of each field."""
    answers: Dict[str, Any] = {}
    for item in service.fields:  # in order: `when` looks at earlier answers only
        if item.applies(answers):
            answers[item.name] = answer_field(item, "en", date.today())[1]
    return answers


def consent() -> Dict[str, Any]:
    """The consent record exactly as the form makes it."""
    draft = {"consent": GIVEN}
    record_consent(draft, "en", datetime(2026, 12, 3, 10, 0, tzinfo=timezone.utc))
    return draft["consent"]


def submit(
    server: Server, service: Service, key: str = "", citizen: str = CITIZEN
) -> Application:
    return client(server, citizen).submit_application(
        key or uuid.uuid4().hex,
        service.id,
        answers_for(service),
        {"sender_id": citizen, "whatsapp_id": citizen, "language": "en"},
        consent(),
        "whatsapp",
    )


@pytest.mark.parametrize("service", CATALOG.services, ids=lambda s: s.id)
def test_every_service_filled_by_the_assistant_is_taken(gateway, service):
    created = submit(gateway, service)
    assert created.service_id == service.id
    assert created.status == "submitted"
    assert created.application_id.startswith(f"DL-{service.code}-")
    assert created.due_date >= date.today()


def test_a_retried_submission_is_the_same_application(gateway):
    service = CATALOG["income_certificate"]
    first = submit(gateway, service, key="contract-retry")
    assert submit(gateway, service, key="contract-retry") == first


def test_documents_status_list_certificate_and_verification(gateway):
    service = CATALOG["birth_certificate"]
    created = submit(gateway, service)
    citizen = client(gateway)
    for number, document in enumerate(service.required_documents(answers_for(service))):
        upload = store_document(
            jpeg(number),
            "scan.jpg",
            "image/jpeg",
            documents(gateway),
            sender_id=CITIZEN,
        )
        attached = citizen.attach_document(
            created.application_id, document.type, upload.id
        )
        assert attached.document_type == document.type
        assert attached.sha256 == upload.id

    fetched = citizen.get_application(created.application_id)
    assert (fetched.application_id, fetched.status) == (
        created.application_id,
        "submitted",
    )
    listed = citizen.list_applications(CITIZEN)
    assert created.application_id in {a.application_id for a in listed}

    officer = f"{_url(gateway)}/api/v1/officer/applications/{created.application_id}"
    headers = {"Authorization": f"Bearer {OFFICER_TOKEN}"}
    approved = requests.post(f"{officer}/approve", headers=headers, timeout=60)
    assert approved.status_code == 200, approved.text

    issued = citizen.get_application(created.application_id)
    assert issued.status == "issued"
    assert issued.certificate_number and issued.certificate_download_url
    assert citizen.certificate_pdf(created.application_id).startswith(b"%PDF")
    assert requests.get(issued.certificate_download_url, timeout=30).content.startswith(
        b"%PDF"
    )

    verified = citizen.verify(issued.certificate_number)
    assert verified.valid and verified.service_id == service.id
    assert verified.certificate_number == issued.certificate_number
    assert verified.issued_on == date.today()
    assert verified.citizen_name and "*" in verified.citizen_name  # masked


def test_a_made_up_certificate_number_is_not_valid(gateway):
    try:
        answer = client(gateway).verify("DLC-BIR-2026-ZZZZ2222")
    except EDistrictError as error:
        assert error.status in (400, 404)
    else:
        assert answer.valid is False


def test_a_documents_request_reaches_the_citizen_as_a_requested_type(gateway):
    service = CATALOG["birth_certificate"]
    created = submit(gateway, service)
    wanted = service.documents[0].type
    officer = f"{_url(gateway)}/api/v1/officer/applications/{created.application_id}"
    response = requests.post(
        f"{officer}/request-documents",
        json={"reason": "Please send a clear copy.", "document_types": [wanted]},
        headers={"Authorization": f"Bearer {OFFICER_TOKEN}"},
        timeout=60,
    )
    assert response.status_code == 200, response.text
    asked = client(gateway).get_application(created.application_id)
    assert asked.status == "documents_requested"
    assert asked.requested_documents == (wanted,)
    assert asked.status_reason == "Please send a clear copy."


def test_another_citizen_gets_404_for_the_application(gateway):
    created = submit(gateway, CATALOG["domicile_certificate"])
    with pytest.raises(EDistrictError) as error:
        client(gateway, citizen="919811100002").get_application(created.application_id)
    assert error.value.status == 404
    assert (
        client(gateway, citizen="919811100002").list_applications("919811100002") == ()
    )


def test_an_unused_upload_is_discarded_by_its_owner_only(gateway):
    upload = store_document(
        jpeg(99), "scan.jpg", "image/jpeg", documents(gateway), sender_id=CITIZEN
    )
    assert client(gateway, citizen="919811100002").discard_document(upload.id) is False
    assert client(gateway).discard_document(upload.id) is True
    assert client(gateway).discard_document(upload.id) is False  # already gone
    service = CATALOG["birth_certificate"]
    created = submit(gateway, service)
    with pytest.raises(EDistrictError) as error:
        client(gateway).attach_document(
            created.application_id, service.documents[0].type, upload.id
        )
    assert error.value.status == 404


def test_the_consent_is_kept_and_an_erasure_withdraws_and_unlinks(gateway):
    citizen_id = f"91{uuid.uuid4().int % 10**10:010d}"
    created = submit(gateway, CATALOG["income_certificate"], citizen=citizen_id)
    officer = f"{_url(gateway)}/api/v1/officer/applications/{created.application_id}"
    headers = {"Authorization": f"Bearer {OFFICER_TOKEN}"}
    kept = requests.get(officer, headers=headers, timeout=30).json()["consent"]
    assert kept["version"] == consent()["version"] and kept["method"] == "chat"

    counts = client(gateway, citizen_id).erase_citizen()
    assert counts["withdrawn"] == 1 and counts["unlinked"] == 1
    withdrawn = requests.get(officer, headers=headers, timeout=30).json()
    assert withdrawn["status"] == "withdrawn" and withdrawn["fields"] == {}
    with pytest.raises(EDistrictError) as unknown:
        client(gateway, citizen_id).get_application(created.application_id)
    assert unknown.value.status == 404
