"""Processing times read naturally: "1 day", never "1 days"."""

import pytest

from actions.replies import days_text


@pytest.mark.parametrize(
    "days, language, text",
    [
        (1, "en", "1 day"),
        (7, "en", "7 days"),
        (1, "hi", "1 दिन"),
        (21, "hi", "21 दिनों"),
        (1, "hinglish", "1 din"),
    ],
)
def test_days_text(days, language, text):
    assert days_text(days, language) == text
