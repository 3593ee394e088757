"""The citizen's consent to an application, recorded with its time and wording.

Asked at the start of every application, before any personal detail (``form_steps``);
the form replaces the citizen's "yes" with the record the gateway keeps with the
application: when, which wording (``CONSENT_VERSION`` and the language it was shown
in), and how. Changing the wording of ``utter_ask_consent`` in ``domain.yml`` needs a new
version here (``tests/actions/test_consent.py`` holds them to each other), so every
record names the exact words the citizen agreed to.
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Dict, Optional

from actions.form_steps import GIVEN

# Version of the consent wording -> SHA-256 of its three texts in domain.yml, as shown.
CONSENT_VERSIONS = {
    "2026-12-03": "f405a6d0c82595273af3ff29af25c75c6b31c593fe1b51c7ff3901383a8bba8f",
}
CONSENT_VERSION = list(CONSENT_VERSIONS)[-1]


def record_consent(
    draft: Dict[str, Any], language: str, now: Optional[datetime] = None
) -> None:
    """Replaces the citizen's fresh "yes" in the draft with the consent record.

    Args:
        draft: The application draft (changed in place).
        language: The language the consent question was shown in.
        now: The time of the answer (default: now, UTC).
    """
    if draft.get("consent") is not GIVEN:
        return
    draft["consent"] = {
        "given_at": (now or datetime.now(timezone.utc)).isoformat(),
        "version": f"{CONSENT_VERSION}-{language}",
        "method": "chat",
    }
