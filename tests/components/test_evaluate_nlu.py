"""The NLU evaluation's arithmetic (scripts/evaluate_nlu.py), without a trained model."""

import pytest

from scripts.evaluate_nlu import Example, Prediction, render_table, score


def test_scores() -> None:
    examples = [
        Example("a", "greet", set()),
        Example("b", "greet", set()),
        Example("c", "apply_service", {"birth_certificate"}),
        Example("d", "apply_service", {"ration_card"}),
    ]
    predictions = [
        Prediction("greet", set(), 0.01),
        Prediction("nlu_fallback", set(), 0.01),
        Prediction("apply_service", {"birth_certificate"}, 0.01),
        Prediction("apply_service", {"caste_certificate"}, 0.01),
    ]
    result = score(examples, predictions)
    assert result.intent_accuracy == 0.75
    # greet: P=1 R=0.5 F1=2/3; apply_service: F1=1; nlu_fallback is not a class
    assert result.macro_f1 == pytest.approx((2 / 3 + 1) / 2)
    assert result.fallbacks == 1
    assert result.service_f1 == pytest.approx(0.5)
    assert result.service_accuracy == 0.5
    assert result.confusions == [("greet", "nlu_fallback", 1)]
    table = render_table({"custom": {"en": result}, "stock": {}})
    assert "en" in table and "0.750" in table and "no test file" in table
