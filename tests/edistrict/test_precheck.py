"""Document pre-check on documents the tests render: outcomes, what is read, the API."""

from __future__ import annotations

import os
import shutil
from typing import Any

import pytest
from sqlalchemy import text

from edistrict.precheck import precheck, reading
from tests.edistrict import precheck_evaluation as evaluation
from tests.edistrict import precheck_samples as samples
from tests.edistrict.conftest import OWNER, SERVICE, submit

if shutil.which("tesseract") is None:
    if os.environ.get("CI") == "true":
        pytest.fail(
            "Tesseract is missing under CI=true: edistrict/bin/install installs it"
        )
    pytest.skip(
        "Tesseract is not installed (edistrict/bin/install)", allow_module_level=True
    )

SUNIL = samples.aadhaar_card("SUNIL KUMAR", "सुनील कुमार", "14/08/1985", "4821 7734 9012")
FACTS = {"name": "Sunil Kumar", "date_of_birth": "1985-08-14", "aadhaar_last4": "9012"}


def check(result: dict[str, Any], field: str) -> dict[str, Any]:
    return next(item for item in result["checks"] if item["field"] == field)


def test_labelled_set_warns_with_precision_and_recall_of_at_least_95_percent():
    figures = evaluation.evaluate()
    assert figures["cases"] >= 70
    assert figures["precision"] >= 0.95, figures["wrong"]
    assert figures["recall"] >= 0.95, figures["wrong"]
    assert figures["exact"] >= 0.9, figures["wrong"]


def test_a_misspelt_name_is_shown_as_read():
    result = precheck(
        samples.degrade(SUNIL, samples.Faults()),
        "image/jpeg",
        "identity_proof",
        {**FACTS, "name": "Sunil Kumaar"},
    )
    assert result["verdict"] == "advice"
    assert result["kind"] == {
        **result["kind"],
        "read": "aadhaar_card",
        "status": "matched",
    }
    assert check(result, "name") == {
        **check(result, "name"),
        "status": "mismatch",
        "read": "SUNIL KUMAR",
    }
    assert check(result, "date_of_birth")["status"] == "matched"
    assert result["engine"].startswith("tesseract ")


def test_the_same_card_with_the_right_answers_is_ok_in_either_script():
    photo = samples.degrade(SUNIL, samples.Faults(rotate=2, noise=15))
    assert precheck(photo, "image/jpeg", "identity_proof", FACTS)["verdict"] == "ok"
    hindi = precheck(
        photo, "image/jpeg", "identity_proof", {**FACTS, "name": "सुनील कुमार"}
    )
    assert hindi["verdict"] == "ok" and check(hindi, "name")["read"] == "सुनील कुमार"


def test_a_hindi_only_line_matches_a_name_typed_in_english_by_sound():
    card = samples.card(
        [
            ("भारत सरकार", 40),
            ("सुनील कुमार", 40),
            ("जन्म तिथि: 14/08/1985", 34),
            ("4821 7734 9012", 48),
            ("मेरा आधार, मेरी पहचान", 34),
        ]
    )
    result = precheck(
        samples.degrade(card, samples.Faults()),
        "image/jpeg",
        "identity_proof",
        {"name": "Suneel Kumar"},
    )
    assert check(result, "name") == {
        **check(result, "name"),
        "status": "matched",
        "read": "सुनील कुमार",
    }
    result = precheck(
        samples.degrade(card, samples.Faults()),
        "image/jpeg",
        "identity_proof",
        {"name": "Ramesh Kumar"},
    )
    assert (
        result["verdict"] == "advice" and check(result, "name")["status"] != "matched"
    )


def test_another_aadhaar_number_is_read_masked():
    result = precheck(
        samples.degrade(SUNIL, samples.Faults()),
        "image/jpeg",
        "identity_proof",
        {**FACTS, "aadhaar_last4": "1111"},
    )
    assert check(result, "aadhaar_last4") == {
        **check(result, "aadhaar_last4"),
        "status": "mismatch",
        "read": "XXXX XXXX 9012",
    }


@pytest.mark.parametrize(
    ("faults", "problem"),
    [
        (samples.Faults(blur=6), "blurred"),
        (samples.Faults(brightness=0.12), "too_dark"),
        (samples.Faults(scale=0.2), "low_resolution"),
    ],
)
def test_unreadable_photos_say_why(faults, problem):
    result = precheck(
        samples.degrade(SUNIL, faults), "image/jpeg", "identity_proof", FACTS
    )
    assert result["verdict"] == "unreadable" and problem in result["problems"]


def test_a_blank_page_is_unreadable():
    from PIL import Image

    result = precheck(
        samples.degrade(Image.new("RGB", (900, 600), "white"), samples.Faults()),
        "image/jpeg",
        "address_proof",
        FACTS,
    )
    assert result["verdict"] == "unreadable" and result["problems"] == ["blank"]


def test_the_wrong_kind_of_document_is_named():
    as_photo = precheck(
        samples.degrade(SUNIL, samples.Faults()), "image/jpeg", "photo", FACTS
    )
    assert as_photo["verdict"] == "advice"
    assert (
        as_photo["kind"]["read"] == "aadhaar_card"
        and as_photo["kind"]["status"] == "mismatch"
    )
    assert as_photo["kind"]["names"]["hi"] == "आधार कार्ड"
    portrait = precheck(
        samples.degrade(samples.portrait(), samples.Faults()),
        "image/jpeg",
        "photo",
        FACTS,
    )
    assert portrait["verdict"] == "ok" and portrait["kind"]["read"] == "photo"


def test_a_pdf_text_layer_is_read_without_ocr():
    data = samples.text_pdf(
        ["Account Holder: RAJESH YADAV", "IFSC: SBIN0001234", "PASSBOOK"]
    )
    result = precheck(
        data, "application/pdf", "bank_passbook", {"name": "Rajesh Yadav"}
    )
    assert result["source"] == "pdf_text" and result["verdict"] == "ok"
    assert check(result, "name")["status"] == "matched"


def test_without_tesseract_nothing_is_called_ok(monkeypatch):
    monkeypatch.setenv("PATH", "/nonexistent")
    reading.ocr_engine.cache_clear()
    try:
        result = precheck(
            samples.degrade(SUNIL, samples.Faults()),
            "image/jpeg",
            "identity_proof",
            FACTS,
        )
        assert result["verdict"] == "not_checked" and result["engine"] is None
        blurred = precheck(
            samples.degrade(SUNIL, samples.Faults(blur=6)),
            "image/jpeg",
            "identity_proof",
            FACTS,
        )
        assert blurred["verdict"] == "unreadable"  # measuring a photo needs no OCR
    finally:
        monkeypatch.undo()
        reading.ocr_engine.cache_clear()


def test_the_api_keeps_the_result_sealed_and_hands_it_to_the_application(sqlite_client):
    client = sqlite_client
    data = samples.degrade(SUNIL, samples.Faults())
    files = {"file": ("aadhaar.jpg", data, "image/jpeg")}
    document_id = client.post("/api/v1/documents", headers=OWNER, files=files).json()[
        "document_id"
    ]
    path = f"/api/v1/documents/{document_id}/precheck"
    body = {
        "document_type": "hospital_discharge_slip",
        "expected": {"name": "Sunil Kumaar"},
    }
    other = {**SERVICE, "X-Citizen-Id": "919800000002"}
    assert client.post(path, headers=other, json=body).status_code == 404
    assert (
        client.post(
            path, headers=OWNER, json={**body, "expected": {"aadhaar_last4": "12"}}
        ).status_code
        == 422
    )

    answer = client.post(path, headers=OWNER, json=body)
    assert answer.status_code == 200, answer.text
    result = answer.json()
    assert result["verdict"] == "advice"  # an Aadhaar card is not a discharge slip
    assert result["kind"]["read"] == "aadhaar_card" and "text" not in result
    with client.app.state.session_factory() as session:  # type: ignore[attr-defined]
        stored = session.execute(text("SELECT precheck FROM uploads")).scalar_one()
    assert "sealed:v1:" in stored and "SUNIL" not in stored

    app_id = submit(client).json()["application_id"]
    attached = client.post(
        f"/api/v1/applications/{app_id}/documents",
        headers=OWNER,
        data={"document_type": "hospital_discharge_slip", "document_id": document_id},
    )
    assert attached.status_code == 201, attached.text
    assert attached.json()["precheck"]["verdict"] == "advice"
    application = client.get(f"/api/v1/applications/{app_id}", headers=OWNER).json()
    assert application["documents"][0]["precheck"]["kind"]["read"] == "aadhaar_card"


def test_what_was_read_is_kept_with_numbers_masked():
    result = precheck(
        samples.degrade(SUNIL, samples.Faults()), "image/jpeg", "identity_proof", FACTS
    )
    assert "XXXX XXXX 9012" in result["text"] and "4821 7734" not in result["text"]


def test_a_readable_page_of_no_known_kind_is_not_called_ok():
    page = samples.card(
        [("Scanned copy", 40), ("Reference 0001", 40), ("Page 1 of 1", 40)]
    )
    result = precheck(
        samples.degrade(page, samples.Faults()), "image/jpeg", "identity_proof", FACTS
    )
    assert result["verdict"] == "not_checked" and result["problems"] == ["kind_unknown"]


def test_a_second_check_reuses_what_was_read(monkeypatch):
    first = precheck(
        samples.degrade(SUNIL, samples.Faults()),
        "image/jpeg",
        "identity_proof",
        {**FACTS, "name": "Sunil Kumaar"},
    )
    monkeypatch.setenv("PATH", "/nonexistent")  # no OCR possible now
    reading.ocr_engine.cache_clear()
    try:
        again = precheck(
            samples.degrade(SUNIL, samples.Faults()),
            "image/jpeg",
            "identity_proof",
            FACTS,
            previous=first,
        )
    finally:
        monkeypatch.undo()
        reading.ocr_engine.cache_clear()
    assert first["verdict"] == "advice" and again["verdict"] == "ok"
    assert again["expected_key"] != first["expected_key"]


def test_a_long_thin_image_is_measured_small():
    import io

    from PIL import Image

    out = io.BytesIO()
    Image.new("L", (200, 199_999), 255).save(out, "PNG")  # 40 megapixels, a few KB
    result = precheck(out.getvalue(), "image/png", "identity_proof", FACTS)
    assert result["verdict"] == "unreadable" and "low_resolution" in result["problems"]


def test_an_answer_corrected_after_the_check_is_checked_again_at_submission(
    sqlite_client,
):
    client = sqlite_client
    card = samples.aadhaar_card(
        "SUNIL KUMAR", "सुनील कुमार", "14/08/1985", "2345 6789 0124"
    )
    headers = {**SERVICE, "X-Citizen-Id": "917777777777"}
    files = {
        "file": ("aadhaar.jpg", samples.degrade(card, samples.Faults()), "image/jpeg")
    }
    document_id = client.post("/api/v1/documents", headers=headers, files=files).json()[
        "document_id"
    ]
    checked = client.post(
        f"/api/v1/documents/{document_id}/precheck",
        headers=headers,
        json={"document_type": "aadhaar_card", "expected": {"name": "Sunil Kumaar"}},
    )
    assert checked.json()["verdict"] == "advice"
    from tests.edistrict.test_console import income_body

    app_id = submit(client, income_body()).json()[
        "application_id"
    ]  # "Sunil Kumar" after all
    attached = client.post(
        f"/api/v1/applications/{app_id}/documents",
        headers=headers,
        data={"document_type": "aadhaar_card", "document_id": document_id},
    )
    assert attached.status_code == 201, attached.text
    result = attached.json()["precheck"]
    assert result["verdict"] == "ok"
    assert {c["field"]: c["status"] for c in result["checks"]} == {
        "name": "matched",
        "aadhaar_last4": "matched",
    }
