"""The NLU evaluation's arithmetic (scripts/evaluate_nlu.py), without a trained model."""

import pytest

from scripts.evaluate_nlu import (
    Example,
    Prediction,
    Scores,
    render_table,
    score,
    shortfalls,
)


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


def _scores(macro_f1: float, intent: float, service: float) -> Scores:
    return Scores(
        examples=10,
        intent_accuracy=intent,
        macro_f1=macro_f1,
        service_f1=service,
        service_accuracy=service,
        service_examples=5,
        fallbacks=0,
    )


def test_shortfalls_name_each_set_language_and_figure() -> None:
    good = _scores(0.97, 0.96, 0.96)
    results = {
        "written": {
            "custom": {"en": good, "hi": _scores(0.89, 0.9, 0.9), "hinglish": good}
        },
        "independent": {
            "custom": {"en": good, "hi": good, "hinglish": _scores(0.97, 0.96, 0.80)}
        },
    }
    assert shortfalls(results, 0.90, 0.85) == [
        "written hi: macro-F1 0.890",
        "independent hinglish: service accuracy 0.800",
    ]
    del results["independent"]["custom"]["en"]
    assert "independent en: no test file" in shortfalls(results, 0.90, 0.85)
    results["independent"]["custom"]["en"] = good
    results["written"]["custom"]["hi"] = good
    results["independent"]["custom"]["hinglish"] = good
    assert shortfalls(results, 0.90, 0.95) == []
