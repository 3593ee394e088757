"""The shipped service catalog is valid, and the loader rejects broken catalogs."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any, Iterator

import jsonschema
import pytest
import yaml

from catalog.loader import load_catalog
from catalog.model import FIELD_TYPES, CatalogError, normalize

CATALOG = Path(__file__).resolve().parents[2] / "catalog"
SERVICE_FILES = sorted((CATALOG / "services").glob("*.yml"))
SCHEMA = json.loads((CATALOG / "schema.json").read_text(encoding="utf-8"))
DEVANAGARI = re.compile(r"[\u0900-\u097F]")
NLU_CONTRACT = {
    "birth_certificate",
    "death_certificate",
    "caste_certificate",
    "obc_certificate",
    "income_certificate",
    "domicile_certificate",
    "ews_certificate",
    "marriage_registration",
    "special_marriage_registration",
    "learner_licence",
    "driving_licence",
    "driving_licence_renewal",
    "duplicate_driving_licence",
    "driving_licence_address_change",
    "ration_card",
    "old_age_pension",
    "disability_pension",
    "widow_pension",
}


def raw(path: Path) -> Any:
    """The file as JSON-like data (dates as ISO strings, as JSON Schema expects)."""
    return json.loads(
        json.dumps(yaml.safe_load(path.read_text(encoding="utf-8")), default=str)
    )


def texts(node: Any, where: str = "") -> Iterator[tuple[str, dict]]:
    """Every three-language text mapping (a dict with an ``en`` key) inside ``node``."""
    if isinstance(node, dict):
        if "en" in node and not isinstance(node["en"], list):
            yield where, node
            return
        for key, value in node.items():
            yield from texts(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from texts(value, f"{where}[{index}]")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


# ---------- the shipped data ----------


def test_there_are_enough_services_and_the_nlu_ids_exist(catalog):
    assert len(catalog) >= 30
    assert NLU_CONTRACT <= {s.id for s in catalog}


@pytest.mark.parametrize("path", SERVICE_FILES, ids=lambda p: p.stem)
def test_file_validates_against_the_schema(path):
    jsonschema.Draft7Validator(SCHEMA).validate(raw(path))


def test_the_schema_rejects_a_document_disguised_as_a_field():
    data = raw(CATALOG / "services" / "birth_certificate.yml")
    data["fields"][0]["type"] = "document"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft7Validator(SCHEMA).validate(data)


@pytest.mark.parametrize(
    "path", [*SERVICE_FILES, CATALOG / "departments.yml"], ids=lambda p: p.stem
)
def test_every_text_has_three_languages_in_the_right_script(path):
    found = list(texts(raw(path)))
    assert found
    for where, text in found:
        assert set(text) == {"en", "hi", "hinglish"}, f"{path.name}{where}"
        # Language-neutral values (dates, numbers, codes, e-mail) are the same in all three.
        neutral = text["hi"] == text["en"] == text["hinglish"]
        assert neutral or DEVANAGARI.search(text["hi"]), (
            f"{path.name}{where}.hi has no Devanagari"
        )
        for language in ("en", "hinglish"):
            assert not DEVANAGARI.search(text[language]), (
                f"{path.name}{where}.{language}"
            )


def test_synonyms_per_language_in_the_right_script_and_case(catalog):
    for service in catalog:
        for language, names in service.synonyms.items():
            assert 5 <= len(names) <= 12, (
                f"{service.id}: {len(names)} {language} synonyms"
            )
            for name in names:
                if language == "hi":
                    assert DEVANAGARI.search(name), (service.id, name)
                else:
                    assert not DEVANAGARI.search(name), (service.id, name)
                    assert name == name.lower(), (service.id, name)


def test_ids_are_unique_and_match_file_names():
    ids = [raw(path)["id"] for path in SERVICE_FILES]
    assert len(ids) == len(set(ids))
    assert ids == [path.stem for path in SERVICE_FILES]


def test_no_synonym_names_two_services(catalog):
    owner: dict[str, str] = {}
    for service in catalog:
        for name in service.all_names():
            assert owner.setdefault(name, service.id) == service.id, (
                f"{name!r} names both {owner[name]} and {service.id}"
            )


def test_when_conditions_refer_to_earlier_fields_and_known_values(catalog):
    for service in catalog:
        seen: dict[str, Any] = {}
        for item in service.fields:
            assert item.type in FIELD_TYPES
            if item.when:
                assert item.when.field in seen, (service.id, item.name)
            seen[item.name] = item
            assert item.prompt and item.label, (service.id, item.name)
        for document in service.documents:
            if document.when:
                source = seen[document.when.field]
                if source.type == "choice":
                    assert set(document.when.values) <= {
                        c.value for c in source.choices
                    }


def test_past_dates_and_sources(catalog):
    for service in catalog:
        assert service.source.url.startswith("http")
        assert str(service.source.checked) == "2026-11-28"
        for item in service.fields:
            if item.type == "date" and item.name != "marriage_date":
                assert item.constraints.get("past_only") is True, (
                    service.id,
                    item.name,
                )


def test_obc_rule_mentions_the_1993_cut_off(catalog):
    obc = catalog["obc_certificate"]
    rules = " ".join(r.text.en for r in obc.eligibility)
    assert "8 September 1993" in rules and "creamy layer" in rules


def test_menu_order_and_lookup(catalog):
    groups = catalog.by_department()
    assert list(groups) == [d for d in catalog.departments if d in groups]
    assert "birth_certificate" in catalog and "nothing" not in catalog
    assert catalog.get("nothing") is None
    assert catalog.match("mujhe janam praman patra chahiye") == "birth_certificate"
    assert catalog.match("जन्म प्रमाण पत्र") == "birth_certificate"
    assert catalog.match("DL renewal") == "driving_licence_renewal"
    assert catalog.match("hello") is None


# ---------- applies / required_documents ----------


def test_when_condition_on_a_yes_no_field(catalog):
    obc = catalog["obc_certificate"]
    origin = obc.field_named("origin_state")
    assert not origin.applies({})
    assert origin.applies({"in_delhi_before_1993": False})
    assert not origin.applies({"in_delhi_before_1993": True})
    assert not origin.applies({"in_delhi_before_1993": 0})  # not a boolean answer
    delhi = [d.type for d in obc.required_documents({"in_delhi_before_1993": True})]
    other = [d.type for d in obc.required_documents({"in_delhi_before_1993": False})]
    assert (
        "residence_proof_1993" in delhi
        and "father_obc_certificate_home_state" not in delhi
    )
    assert (
        "father_obc_certificate_home_state" in other
        and "residence_proof_1993" not in other
    )
    assert (
        "relative_obc_certificate" not in delhi
    )  # optional documents are not required


def test_when_condition_on_a_choice_field(catalog):
    pension = catalog["old_age_pension"]
    sc = pension.required_documents({"category": "sc"})
    assert "caste_certificate_copy" in [d.type for d in sc]
    assert "caste_certificate_copy" not in [
        d.type for d in pension.required_documents({"category": "general"})
    ]


# ---------- broken catalogs ----------


def copy_catalog(tmp_path: Path, *services: str) -> Path:
    """Copies departments.yml (its main menu limited to the copied services) and some
    service files."""
    folder = tmp_path / "catalog"
    (folder / "services").mkdir(parents=True)
    services = services or ("birth_certificate",)
    departments = raw(CATALOG / "departments.yml")
    departments["main_menu"] = [s for s in departments["main_menu"] if s in services]
    write(folder / "departments.yml", departments)
    for service in services:
        shutil.copy(
            CATALOG / "services" / f"{service}.yml",
            folder / "services" / f"{service}.yml",
        )
    return folder


def write(path: Path, data: Any) -> None:
    path.write_text(
        yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8"
    )


def edit(folder: Path, service: str, change) -> None:
    path = folder / "services" / f"{service}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    write(path, data)


def test_a_copied_catalog_loads(tmp_path):
    assert [s.id for s in load_catalog(copy_catalog(tmp_path, "obc_certificate"))] == [
        "obc_certificate"
    ]


def rejects(folder: Path, file: str, key: str, words: str) -> None:
    with pytest.raises(CatalogError) as error:
        load_catalog(folder)
    assert error.value.file.endswith(file)
    assert error.value.key == key
    assert words in str(error.value)


def test_the_main_menu_lists_known_services_in_the_order_of_the_file(catalog):
    assert 1 <= len(catalog.main_menu) <= 8
    assert list(catalog.main_menu) == raw(CATALOG / "departments.yml")["main_menu"]
    assert all(service_id in catalog for service_id in catalog.main_menu)


@pytest.mark.parametrize(
    ("menu", "key", "words"),
    [
        (
            ["birth_certificate", "passport"],
            "main_menu[1]",
            "unknown service 'passport'",
        ),
        (["birth_certificate"] * 2, "main_menu[1]", "listed twice"),
        (["birth_certificate"] * 9, "main_menu", "at most 8"),
    ],
    ids=["unknown", "twice", "too-many"],
)
def test_rejects_a_bad_main_menu(tmp_path, menu, key, words):
    folder = copy_catalog(tmp_path)
    departments = raw(folder / "departments.yml")
    departments["main_menu"] = menu
    write(folder / "departments.yml", departments)
    rejects(folder, "departments.yml", key, words)


def test_rejects_unknown_department(tmp_path):
    folder = copy_catalog(tmp_path)
    edit(folder, "birth_certificate", lambda d: d.update(department="health"))
    rejects(
        folder, "birth_certificate.yml", "department", "unknown department 'health'"
    )


def test_rejects_duplicate_id(tmp_path):
    folder = copy_catalog(tmp_path)
    shutil.copy(
        folder / "services" / "birth_certificate.yml",
        folder / "services" / "zz_copy.yml",
    )
    rejects(folder, "zz_copy.yml", "id", "duplicate service id 'birth_certificate'")


def test_rejects_missing_language_key(tmp_path):
    folder = copy_catalog(tmp_path)
    edit(
        folder, "birth_certificate", lambda d: d["fields"][1]["prompt"].pop("hinglish")
    )
    rejects(
        folder,
        "birth_certificate.yml",
        "fields[1].prompt.hinglish",
        "missing language key",
    )


def test_rejects_missing_synonym_language(tmp_path):
    folder = copy_catalog(tmp_path)
    edit(folder, "birth_certificate", lambda d: d["synonyms"].pop("hi"))
    rejects(folder, "birth_certificate.yml", "synonyms.hi", "missing language key")


def test_rejects_unknown_field_type(tmp_path):
    folder = copy_catalog(tmp_path)
    edit(folder, "birth_certificate", lambda d: d["fields"][0].update(type="document"))
    rejects(
        folder,
        "birth_certificate.yml",
        "fields[0].type",
        "unknown field type 'document'",
    )


def test_rejects_when_on_an_unknown_field(tmp_path):
    folder = copy_catalog(tmp_path)
    edit(
        folder,
        "birth_certificate",
        lambda d: d["fields"][2].update(when={"field": "nope", "in": ["x"]}),
    )
    rejects(
        folder, "birth_certificate.yml", "fields[2].when.field", "not an earlier field"
    )


def test_rejects_when_on_a_later_field(tmp_path):
    folder = copy_catalog(tmp_path)
    edit(
        folder,
        "birth_certificate",
        lambda d: d["fields"][0].update(when={"field": "child_gender", "in": ["male"]}),
    )
    rejects(
        folder, "birth_certificate.yml", "fields[0].when.field", "not an earlier field"
    )


def test_rejects_when_on_an_unknown_choice(tmp_path):
    folder = copy_catalog(tmp_path)
    edit(
        folder,
        "birth_certificate",
        lambda d: d["fields"][3].update(when={"field": "child_gender", "in": ["boy"]}),
    )
    rejects(folder, "birth_certificate.yml", "fields[3].when.in", "are not choices")


def test_rejects_choice_field_without_choices(tmp_path):
    folder = copy_catalog(tmp_path)
    edit(folder, "birth_certificate", lambda d: d["fields"][1].pop("choices"))
    rejects(
        folder, "birth_certificate.yml", "fields[1].choices", "needs a list of choices"
    )


def test_rejects_invalid_yaml_and_missing_departments(tmp_path):
    folder = copy_catalog(tmp_path)
    (folder / "services" / "birth_certificate.yml").write_text(
        "id: [unclosed", encoding="utf-8"
    )
    rejects(folder, "birth_certificate.yml", "(file)", "not valid YAML")
    (folder / "departments.yml").unlink()
    rejects(folder, "departments.yml", "(file)", "missing")


def test_normalize():
    assert normalize("  Janam   Praman\tPatra ") == "janam praman patra"


def test_every_service_has_its_own_application_id_code(catalog):
    """Two services printing `DL-MAR-` ids would leave officers and citizens guessing."""
    codes = [service.code for service in catalog.services]
    assert len(set(codes)) == len(codes)
    assert all(re.fullmatch(r"[A-Z]{3}", code) for code in codes)


def test_a_code_shared_by_two_services_is_refused(tmp_path):
    shutil.copytree(CATALOG, tmp_path / "catalog")
    renewal = tmp_path / "catalog" / "services" / "driving_licence_renewal.yml"
    renewal.write_text(renewal.read_text().replace("code: DLR", "code: DRI", 1))
    with pytest.raises(CatalogError, match="DRI"):
        load_catalog(tmp_path / "catalog")
