from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List

import yaml
from rasa.shared.nlu.training_data.loading import load_data

from scripts import generate_nlu_synonyms as generator


@dataclass
class FakeService:
    id: str
    synonyms: Dict[str, List[str]] = field(default_factory=dict)


def test_committed_file_matches_a_fresh_generation() -> None:
    committed = generator.OUTPUT.read_text(encoding="utf-8")
    fresh = generator.render(generator.load_services())
    assert committed == fresh, "run: .venv/bin/python -m scripts.generate_nlu_synonyms"


def test_render_gives_rasa_synonyms_and_lookup(tmp_path: Path) -> None:
    services = [
        FakeService(
            "birth_certificate",
            {
                "en": ["birth certificate", "dob  certificate"],
                "hi": ["जन्म प्रमाण पत्र"],
                "hinglish": ["janam praman patra", "birth certificate"],
            },
        ),
        FakeService("ration_card", {"en": ["ration card"], "hi": ["राशन कार्ड"]}),
        FakeService("no_names", {}),
    ]
    text = generator.render([(s.id, s.synonyms) for s in services])
    assert text.startswith("# generated from catalog/, do not edit")
    path = tmp_path / "service_synonyms.yml"
    path.write_text(text, encoding="utf-8")
    data = load_data(str(path))
    assert data.entity_synonyms == {
        "birth certificate": "birth_certificate",
        "dob certificate": "birth_certificate",
        "जन्म प्रमाण पत्र": "birth_certificate",
        "janam praman patra": "birth_certificate",
        "ration card": "ration_card",
        "राशन कार्ड": "ration_card",
    }
    assert [t.get("synonym") for t in yaml.safe_load(text)["nlu"]] == [
        "birth_certificate",
        "ration_card",
        None,  # the lookup table
    ]
    assert data.lookup_tables[0]["name"] == "service"
    assert "राशन कार्ड" in data.lookup_tables[0]["elements"]


def test_name_of_two_services_is_left_out() -> None:
    text = generator.render(
        [
            ("driving_licence", {"en": ["driving licence", "licence"]}),
            ("learner_licence", {"en": ["learner licence", "Licence"]}),
        ]
    )
    assert "- licence" not in text.lower()
    assert "- driving licence" in text
    assert "- learner licence" in text


def test_empty_catalog_renders_a_valid_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.yml"
    path.write_text(generator.render([]), encoding="utf-8")
    assert load_data(str(path)).entity_synonyms == {}


def test_check_mode_detects_drift(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(generator, "OUTPUT", tmp_path / "service_synonyms.yml")
    monkeypatch.setattr(generator, "ROOT", tmp_path)
    generator.OUTPUT.write_text("stale\n", encoding="utf-8")
    assert generator.main(["--check"]) == 1
    assert generator.main([]) == 0
    assert generator.main(["--check"]) == 0
