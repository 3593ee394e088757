"""What an issued certificate says: holder from the form, human labels and values, and
no Aadhaar, phone, e-mail or bank details (issue 10). Runs on the real catalog."""

from __future__ import annotations

import io
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from delhi.districts import DISTRICT_IDS
from edistrict.applications import citizen_display_name
from edistrict.catalog import load as load_catalog
from edistrict.certificate_content import (
    certificate_rows,
    display_value,
    holder_name,
    holder_names,
    is_omitted,
    mask_aadhaar,
)
from edistrict.models import Application
from edistrict.settings import REPO_ROOT
from edistrict.validation import validate_answers
from tests.edistrict.conftest import CONSENT, OFFICER, SERVICE

REAL_CATALOG = REPO_ROOT / "catalog"
IST = timezone(timedelta(hours=5, minutes=30))
CITIZEN = "919812345678"
PROFILE_NAME = "Profile Nickname"
AADHAAR = "234567890124"
AADHAAR_2 = "345678901238"
MOBILE = "9876543210"
ACCOUNT = "123456789012445"
IFSC = "SBIN0001234"


@pytest.fixture(scope="module")
def catalog() -> Any:
    return load_catalog(REAL_CATALOG)


@pytest.fixture
def real_client(sqlite_url: str, build_client: Callable[..., TestClient]) -> TestClient:
    """The gateway on SQLite with the repository's real catalog."""
    return build_client(sqlite_url, catalog_path=REAL_CATALOG)


def flat(text: str) -> str:
    return " ".join(text.split())


def latin_words(text: str) -> str:
    """The words with no Devanagari (pypdf's text of shaped Devanagari glyphs may hold
    stray ASCII characters, even ``_``; the English half of every row has none)."""
    return " ".join(
        word
        for word in text.split()
        if all(ch.isprintable() and ord(ch) < 0x0900 for ch in word)
    )


def sample_answer(field: Any) -> Any:
    """A valid answer for any catalog field (sensitive ones use the known values)."""
    name = field.name
    if "ifsc" in name:
        return IFSC
    if "bank" in name or "account" in name:
        return ACCOUNT
    if field.type == "choice":
        return field.choices[-1].value
    return {
        "name": "Asha Rani",
        "date": "2000-01-02",
        "aadhaar": AADHAAR,
        "mobile": MOBILE,
        "pincode": "110001",
        "yes_no": "yes",
        "number": "5",
        "email": "asha@example.in",
        "district": "central_north",
    }.get(field.type, "Plain text 7")


def fill(service: Any, **given: Any) -> dict[str, Any]:
    """The given answers, and a sample answer for every other field of the service."""
    return {f.name: given.get(f.name, sample_answer(f)) for f in service.fields}


def en_label(service: Any, name: str) -> str:
    """The field's English label in the catalog (labels are the catalog's to change)."""
    field = next(f for f in service.fields if f.name == name)
    return str(field.label.en)


def choice_en(service: Any, name: str, value: str) -> str:
    field = next(f for f in service.fields if f.name == name)
    return str(next(c for c in field.choices if c.value == value).label.en)


def issue_pdf(client: TestClient, service: Any, **given: Any):
    """Submits (from a WhatsApp profile), approves; returns (application, PDF text)."""
    submitted = client.post(
        "/api/v1/applications",
        json={
            "service_id": service.id,
            "channel": "whatsapp",
            "citizen": {
                "whatsapp_id": CITIZEN,
                "mobile": MOBILE,
                "name": PROFILE_NAME,
            },
            "language": "hi",
            "consent": CONSENT,
            "fields": fill(service, **given),
        },
        headers={**SERVICE, "Idempotency-Key": f"key-{uuid.uuid4().hex}"},
    )
    assert submitted.status_code == 201, submitted.text
    app_id = submitted.json()["application_id"]
    approved = client.post(
        f"/api/v1/officer/applications/{app_id}/approve", headers=OFFICER
    )
    assert approved.status_code == 200, approved.text
    pdf = client.get(
        f"/api/v1/applications/{app_id}/certificate",
        headers={**SERVICE, "X-Citizen-Id": CITIZEN},
    )
    assert pdf.status_code == 200, pdf.text
    reader = PdfReader(io.BytesIO(pdf.content))
    assert len(reader.pages) == 1
    return approved.json(), flat(reader.pages[0].extract_text())


def assert_clean(text: str, app: dict[str, Any], service: Any) -> None:
    """What no certificate may show, and the issue date as DD-MM-YYYY in IST."""
    assert "_" not in latin_words(text)  # no codes (child_name, north_west, ...)
    for code in (*DISTRICT_IDS, *(f.name for f in service.fields if "_" in f.name)):
        assert code not in text, code
    for secret in (AADHAAR, AADHAAR_2, MOBILE, ACCOUNT, IFSC, CITIZEN, PROFILE_NAME):
        assert secret not in text
    assert "2345 6789 0124" not in text and "3456 7890 1238" not in text
    assert "Mobile" not in text and "Bank" not in text and "IFSC" not in text
    assert not re.search(r"\bTrue\b|\bFalse\b|\bNone\b", text)
    issued = datetime.fromisoformat(app["certificate"]["issued_at"])
    if issued.tzinfo is None:
        issued = issued.replace(tzinfo=timezone.utc)
    assert f"Date: {issued.astimezone(IST).strftime('%d-%m-%Y')}" in text


def test_birth_certificate_names_the_child_with_readable_particulars(
    real_client: TestClient, catalog: Any
):
    birth = catalog.get("birth_certificate")
    app, text = issue_pdf(
        real_client,
        birth,
        child_name="Aarav Sharma",
        child_gender="male",
        child_date_of_birth="2025-08-15",
        place_of_birth="Lok Nayak Hospital",
        father_name="Suresh Kumar",
        mother_name="Sunita Devi",
        district="north_west",
        pincode="110092",
    )
    assert "issued in the name of Aarav Sharma with the particulars below" in text
    for name, shown in (
        ("child_name", "Aarav Sharma"),
        ("child_date_of_birth", "15-08-2025"),
        ("father_name", "Suresh Kumar"),
        ("mother_name", "Sunita Devi"),
        ("place_of_birth", "Lok Nayak Hospital"),
        ("pincode", "110092"),
    ):
        assert f"{en_label(birth, name)} {shown}" in text, name
    assert f"/ {en_label(birth, 'district')} " in text and "/ North West" in text
    assert f"/ {choice_en(birth, 'child_gender', 'male')}" in text
    assert "Municipal Corporation of Delhi (MCD)" in text
    assert "2025-08-15" not in text and "north" not in text and "male" not in text
    assert_clean(text, app, birth)


def test_death_certificate_names_the_deceased_not_the_informant(
    real_client: TestClient, catalog: Any
):
    death = catalog.get("death_certificate")
    app, text = issue_pdf(
        real_client,
        death,
        deceased_name="Ram Lal",
        deceased_gender="male",
        date_of_death="2026-01-03",
        informant_name="Mohan Lal",
        district="south_east",
    )
    assert "in the name of Ram Lal with" in text
    assert f"{en_label(death, 'date_of_death')} 03-01-2026" in text
    assert "South East" in text
    assert f"{en_label(death, 'informant_name')} Mohan Lal" in text  # not the holder
    assert_clean(text, app, death)


def test_old_age_pension_leaves_out_bank_details_and_masks_aadhaar(
    real_client: TestClient, catalog: Any
):
    pension = catalog.get("old_age_pension")
    assert {"bank_account_number", "ifsc_code"} <= {f.name for f in pension.fields}
    app, text = issue_pdf(
        real_client,
        pension,
        applicant_name="Kamla Devi",
        father_name="Hari Ram",
        gender="female",
        date_of_birth="1955-01-01",
        aadhaar="2345 6789 0124",
        district="north_west",
        years_in_delhi="30",
        annual_income="60000",
        category="general",
    )
    assert "in the name of Kamla Devi with" in text
    assert f"{en_label(pension, 'aadhaar')} XXXX XXXX 0124" in text
    assert f"{en_label(pension, 'date_of_birth')} 01-01-1955" in text
    assert f"{en_label(pension, 'annual_income')} 60000" in text
    assert f"{en_label(pension, 'years_in_delhi')} 30" in text
    assert f"/ {choice_en(pension, 'category', 'general')}" in text
    assert f"/ {choice_en(pension, 'gender', 'female')}" in text
    assert "North West" in text and "ccount" not in text
    assert "general" not in text and "1955-01-01" not in text
    assert_clean(text, app, pension)


def test_marriage_certificate_names_both_spouses(real_client: TestClient, catalog: Any):
    marriage = catalog.get("marriage_registration")
    app, text = issue_pdf(
        real_client,
        marriage,
        husband_name="Rahul Verma",
        husband_date_of_birth="1990-08-15",
        husband_aadhaar=AADHAAR,
        wife_name="Priya Sharma",
        wife_date_of_birth="1993-02-01",
        wife_aadhaar=AADHAAR_2,
        marriage_date="2025-11-20",
        district="south_east",
    )
    assert "in the name of Rahul Verma and Priya Sharma with" in text
    assert f"{en_label(marriage, 'husband_aadhaar')} XXXX XXXX 0124" in text
    assert f"{en_label(marriage, 'wife_aadhaar')} XXXX XXXX 1238" in text
    assert f"{en_label(marriage, 'marriage_date')} 20-11-2025" in text
    assert "Revenue Department (e-District)" in text
    assert_clean(text, app, marriage)
    verified = real_client.get(f"/verify/{app['certificate']['number']}").json()
    assert verified["citizen_name"] == "R**** V**** P**** S****"


def test_verification_masks_the_holder_from_the_form(
    real_client: TestClient, catalog: Any
):
    app, _ = issue_pdf(
        real_client, catalog.get("old_age_pension"), applicant_name="Kamla Devi"
    )
    facts = real_client.get(f"/verify/{app['certificate']['number']}").json()
    assert facts["valid"] is True and facts["citizen_name"] == "K**** D****"


def bilingual_label(service: Any, name: str) -> str:
    field = next(f for f in service.fields if f.name == name)
    return f"{field.label.hi} / {field.label.en}"


def test_rows_carry_hindi_and_english_labels_and_values(catalog: Any):
    service = catalog.get("ews_certificate")
    answers = validate_answers(
        service,
        fill(
            service,
            applicant_name="Sunil Kumar",
            father_name="Ramesh Kumar",
            gender="male",
            date_of_birth="1990-08-15",
            district="north_west",
            owns_agricultural_land_5_acres="no",
            owns_flat_1000_sqft="yes",
        ),
    )
    answers["spouse_name"] = None  # a skipped optional answer
    rows = {row.label: row.value for row in certificate_rows(answers, service)}
    assert "पिता का नाम / Father's name" in rows  # the catalog's label, both languages
    assert rows[bilingual_label(service, "father_name")] == "Ramesh Kumar"
    assert rows[bilingual_label(service, "gender")] == "पुरुष / Male"
    assert rows[bilingual_label(service, "date_of_birth")] == "15-08-1990"
    assert rows[bilingual_label(service, "district")] == "उत्तर पश्चिम / North West"
    land = bilingual_label(service, "owns_agricultural_land_5_acres")
    assert rows[land] == "नहीं / No"
    assert rows[bilingual_label(service, "owns_flat_1000_sqft")] == "हाँ / Yes"
    assert rows[bilingual_label(service, "aadhaar")] == "XXXX XXXX 0124"
    assert bilingual_label(service, "spouse_name") not in rows
    assert bilingual_label(service, "mobile") not in rows
    assert len(rows) == len(answers) - 2  # all but the mobile and the skipped one
    assert holder_names(service.id, answers, service) == ("Sunil Kumar",)


def test_every_catalog_service_prints_no_codes_and_no_secrets(catalog: Any):
    services = list(catalog.services)
    assert len(services) > 20
    for service in services:
        answers = validate_answers(service, fill(service))  # drops `when` failures
        rows = certificate_rows(answers, service)
        printed = " | ".join(f"{row.label}: {row.value}" for row in rows)
        assert rows, service.id
        assert "_" not in printed, (service.id, printed)
        for secret in (AADHAAR, MOBILE, ACCOUNT, IFSC, "asha@example.in"):
            assert secret not in printed, (service.id, secret)
        if any(f.type == "aadhaar" and f.name in answers for f in service.fields):
            assert "XXXX XXXX 0124" in printed, service.id
        if any(f.type == "date" for f in service.fields):
            assert "02-01-2000" in printed and "2000-01-02" not in printed
        if any(f.type == "district" for f in service.fields):
            assert "Central North" in printed, service.id
        assert all(" / " in row.label for row in rows), service.id
        holder = holder_names(service.id, answers, service)
        assert holder and set(holder) <= {"Asha Rani"}, service.id


def test_holder_rule_per_service(catalog: Any):
    delayed = catalog.get("delayed_birth_registration")
    answers = {"applicant_name": "Ravi Gupta", "person_name": "Meena Gupta"}
    assert holder_names(delayed.id, answers, delayed) == ("Meena Gupta",)
    benefit = catalog.get("family_benefit_scheme")
    answers = {"applicant_name": "Ravi Gupta", "deceased_name": "Om Gupta"}
    assert holder_names(benefit.id, answers, benefit) == ("Ravi Gupta",)
    ration = catalog.get("ration_card")
    assert holder_names(ration.id, {"head_of_family": "Om Gupta"}, ration) == (
        "Om Gupta",
    )
    # Without the catalog (the verification page), answers keep the catalog's order.
    assert holder_name("birth_certificate", {"child_name": "A B", "father_name": "C"})
    assert holder_name("trade_licence", {"trade_name": "Shop"}) == "-"


def test_display_name_is_never_the_profile_name_or_a_phone_number():
    application = Application(
        service_id="income_certificate",
        citizen_name=PROFILE_NAME,
        citizen_whatsapp_id=CITIZEN,
        citizen_mobile=MOBILE,
        fields={"annual_income": 120000},
    )
    assert citizen_display_name(application) == "-"
    application.fields = {"applicant_name": "Sunil Kumar", "annual_income": 1}
    assert citizen_display_name(application) == "Sunil Kumar"


def test_policy_leaves_out_contact_and_bank_details_by_type_and_name():
    for name, field_type in (
        ("mobile", "mobile"),
        ("alternate_contact", "mobile"),
        ("email", "email"),
        ("bank_name", "text"),
        ("account_holder", None),
        ("ifsc_code", "text"),
        ("phone_number", None),
    ):
        assert is_omitted(name, field_type), name
    for name, field_type in (("aadhaar", "aadhaar"), ("address", "text")):
        assert not is_omitted(name, field_type), name
    assert mask_aadhaar("2345 6789 0124") == "XXXX XXXX 0124"
    assert display_value("spouse_aadhaar", AADHAAR) == "XXXX XXXX 0124"
    assert display_value("district", "north_west") == "उत्तर पश्चिम / North West"
    rows = certificate_rows(
        {"bank_account_number": ACCOUNT, "caste_category": "other_backward", "x": None}
    )
    assert [(r.label, r.value) for r in rows] == [("Caste category", "Other backward")]
