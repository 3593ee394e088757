"""Custom Rasa NLU components for English, Hindi (Devanagari) and Hinglish text."""

from rasa.engine.training import fingerprinting

# Rasa checks `required_packages()` by import name and fingerprints them by distribution
# name; tell it the distribution of the one import name that differs.
fingerprinting.import_name_to_package_map.setdefault("indicnlp", "indic-nlp-library")
