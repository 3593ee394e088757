"""The pre-check's labelled set: generated documents with known outcomes, and its figures.

``python -m tests.edistrict.precheck_evaluation`` (gateway venv, PYTHONPATH=.) prints the
outcome table and the precision and recall of the warning ("advice": another kind of
document, or an answer that differs). Each case is a person's document, maybe photographed
badly, sent as a catalog document type, with the answers the citizen typed.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass
from typing import Any, Callable

from edistrict.precheck import ADVICE, precheck
from tests.edistrict import precheck_samples as samples

MATCHED, MISMATCHED, UNREADABLE, WRONG_TYPE = (
    "matched",
    "mismatched",
    "unreadable",
    "wrong_type",
)
VERDICT_OF = {
    MATCHED: "ok",
    MISMATCHED: ADVICE,
    UNREADABLE: "unreadable",
    WRONG_TYPE: ADVICE,
}

PEOPLE = (
    ("SUNIL KUMAR", "सुनील कुमार", "Sunil Kumaar", "14/08/1985", "4821 7734 9012"),
    ("PRIYA SHARMA", "प्रिया शर्मा", "Priya Sharmaa", "02/11/1992", "5512 0937 4418"),
    (
        "MOHAMMED IRFAN",
        "मोहम्मद इरफान",
        "Mohammad Irfan",
        "23/03/1978",
        "7301 6625 1190",
    ),
    ("GURPREET KAUR", "गुरप्रीत कौर", "Gurpreet Kour", "09/06/1989", "2847 5530 6671"),
    ("RAJESH YADAV", "राजेश यादव", "Rajesh Yaadav", "30/01/1975", "9034 1187 2256"),
    ("ANITA DEVI", "अनीता देवी", "Anitaa Devi", "17/07/1968", "6120 4458 3379"),
)
CLEAN = samples.Faults()
MILD = samples.Faults(blur=0.8, noise=20, rotate=2, jpeg_quality=70)


@dataclass(frozen=True)
class Case:
    """One upload with its expected outcome."""

    label: str
    description: str
    document_type: str
    make: Callable[[], tuple[bytes, str]]
    expected: dict[str, str]


def _iso(dob: str) -> str:
    day, month, year = dob.split("/")
    return f"{year}-{month}-{day}"


def _jpeg(
    image: Any, faults: samples.Faults = CLEAN
) -> Callable[[], tuple[bytes, str]]:
    return lambda: (samples.degrade(image, faults), "image/jpeg")


def cases() -> list[Case]:
    """The labelled set (documents are rendered when a case is run)."""
    out: list[Case] = []
    for index, (name, hindi, misspelt, dob, aadhaar) in enumerate(PEOPLE):
        pin = f"1100{index + 10}"
        facts = {
            "name": name.title(),
            "date_of_birth": _iso(dob),
            "aadhaar_last4": aadhaar[-4:],
            "pincode": pin,
        }
        card = samples.aadhaar_card(name, hindi, dob, aadhaar, pin)
        ration = samples.ration_card(name, pin)
        faults = samples.Faults(
            seed=index, rotate=(-2, 0, 3, 180, 1, -1)[index], noise=10 * (index % 3)
        )
        out += [
            Case(
                MATCHED,
                f"Aadhaar of {name}",
                "identity_proof",
                _jpeg(card, faults),
                facts,
            ),
            Case(
                MATCHED,
                f"Aadhaar of {name}, phone photo",
                "identity_proof",
                _jpeg(card, MILD),
                facts,
            ),
            Case(
                MATCHED,
                f"Aadhaar of {name}, name typed in Hindi",
                "identity_proof",
                _jpeg(card),
                {**facts, "name": hindi},
            ),
            Case(
                MISMATCHED,
                f"Aadhaar of {name}, typed {misspelt}",
                "identity_proof",
                _jpeg(card, faults),
                {**facts, "name": misspelt},
            ),
            Case(
                MISMATCHED,
                f"Aadhaar of {name}, other Aadhaar number typed",
                "identity_proof",
                _jpeg(card),
                {**facts, "aadhaar_last4": "0000"},
            ),
            Case(
                MATCHED,
                f"Ration card of {name}",
                "address_proof",
                _jpeg(ration, faults),
                facts,
            ),
            Case(
                MISMATCHED,
                f"Ration card of {name}, other PIN typed",
                "address_proof",
                _jpeg(ration),
                {**facts, "pincode": "110001"},
            ),
            Case(
                MISMATCHED,
                f"Someone else's ration card for {PEOPLE[index - 1][0]}",
                "address_proof",
                _jpeg(ration),
                {**facts, "name": PEOPLE[index - 1][0].title()},
            ),
            Case(
                WRONG_TYPE,
                f"Ration card of {name} as identity proof",
                "identity_proof",
                _jpeg(ration),
                facts,
            ),
            Case(
                WRONG_TYPE,
                f"Aadhaar of {name} as the photo",
                "photo",
                _jpeg(card, faults),
                facts,
            ),
            Case(
                MATCHED,
                f"Photo of {name}",
                "photo",
                _jpeg(samples.portrait(index)),
                facts,
            ),
            Case(
                UNREADABLE,
                ("Blurred", "Dark", "Tiny", "Blurred", "Dark", "Tiny")[index]
                + f" Aadhaar of {name}",
                "identity_proof",
                _jpeg(
                    card,
                    (
                        samples.Faults(blur=6),
                        samples.Faults(brightness=0.15),
                        samples.Faults(scale=0.2),
                    )[index % 3],
                ),
                facts,
            ),
        ]
    school = samples.school_certificate("PRIYA SHARMA", "02/11/1992")
    out += [
        Case(
            MATCHED,
            "School certificate, DOB proof",
            "dob_proof",
            _jpeg(school),
            {"name": "Priya Sharma", "date_of_birth": "1992-11-02"},
        ),
        Case(
            MISMATCHED,
            "School certificate, other DOB typed",
            "dob_proof",
            _jpeg(school),
            {"name": "Priya Sharma", "date_of_birth": "1993-11-02"},
        ),
        Case(
            MATCHED,
            "Passbook PDF with text",
            "bank_passbook",
            lambda: (
                samples.text_pdf(
                    [
                        "State Bank of India",
                        "Branch: Laxmi Nagar",
                        "Account Holder: RAJESH YADAV",
                        "IFSC: SBIN0001234",
                        "PASSBOOK",
                    ]
                ),
                "application/pdf",
            ),
            {"name": "Rajesh Yadav"},
        ),
        Case(
            MISMATCHED,
            "Passbook PDF, other person",
            "bank_passbook",
            lambda: (
                samples.text_pdf(
                    [
                        "State Bank of India",
                        "Branch: Laxmi Nagar",
                        "Account Holder: ANITA DEVI",
                        "IFSC: SBIN0001234",
                        "PASSBOOK",
                    ]
                ),
                "application/pdf",
            ),
            {"name": "Rajesh Yadav"},
        ),
        Case(
            MATCHED,
            "Scanned Aadhaar PDF",
            "identity_proof",
            lambda: (
                samples.scanned_pdf(
                    samples.aadhaar_card(
                        "ANITA DEVI", "अनीता देवी", "17/07/1968", "6120 4458 3379"
                    )
                ),
                "application/pdf",
            ),
            {"name": "Anita Devi", "aadhaar_last4": "3379"},
        ),
    ]
    return out


def outcome(result: dict[str, Any]) -> str:
    """The label a result amounts to."""
    if result["verdict"] == "unreadable":
        return UNREADABLE
    if result["verdict"] == ADVICE:
        return WRONG_TYPE if result["kind"]["status"] == "mismatch" else MISMATCHED
    return MATCHED if result["verdict"] == "ok" else result["verdict"]


def evaluate(selected: list[Case] | None = None) -> dict[str, Any]:
    """Runs every case; the confusion counts and the warning's precision and recall."""
    confusion: Counter[tuple[str, str]] = Counter()
    wrong = []
    started = time.perf_counter()
    for case in selected or cases():
        data, mime = case.make()
        got = outcome(precheck(data, mime, case.document_type, case.expected))
        confusion[(case.label, got)] += 1
        if got != case.label:
            wrong.append((case.description, case.label, got))
    warned = {MISMATCHED, WRONG_TYPE}
    true_pos = sum(
        n for (want, got), n in confusion.items() if want in warned and got in warned
    )
    predicted = sum(n for (_, got), n in confusion.items() if got in warned)
    actual = sum(n for (want, _), n in confusion.items() if want in warned)
    return {
        "cases": sum(confusion.values()),
        "confusion": confusion,
        "wrong": wrong,
        "precision": true_pos / predicted if predicted else 0.0,
        "recall": true_pos / actual if actual else 0.0,
        "exact": 1 - len(wrong) / max(1, sum(confusion.values())),
        "seconds": time.perf_counter() - started,
    }


def main() -> None:
    figures = evaluate()
    labels = (MATCHED, MISMATCHED, WRONG_TYPE, UNREADABLE)
    print(f"{figures['cases']} documents, {figures['seconds']:.0f} s")
    print("| expected \\ pre-check | " + " | ".join(labels) + " |")
    print("|---" * (len(labels) + 1) + "|")
    for want in labels:
        row = [str(figures["confusion"][(want, got)]) for got in labels]
        print(f"| {want} | " + " | ".join(row) + " |")
    print(
        f"warning precision {figures['precision']:.3f}, recall {figures['recall']:.3f}, "
        f"outcome exact {figures['exact']:.3f}"
    )
    for description, want, got in figures["wrong"]:
        print(f"  wrong: {description}: expected {want}, got {got}")


if __name__ == "__main__":
    main()
