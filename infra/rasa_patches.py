"""Documented patch points in Rasa 3.6, applied by ``infra.rasa_server`` at start.

Each patch keeps Rasa's behaviour and fixes a measured cost (issue "Speed at WhatsApp
scale"; ``make bench``). Each is checked by ``tests/infra/test_rasa_patches.py``
against the installed Rasa, so an upgrade that moves the patched code fails a test
instead of silently running unpatched.

* ``RemoteAction._validate_action_result``: Rasa validates every custom action's answer
  with ``jsonschema.validate``, which checks the schema itself and builds a validator on
  every call (about half of the Rasa server's CPU under load, profiled with py-spy).
  The patch builds the validator once; same schema, same error (jsonschema's best match,
  with Rasa's hint appended).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict

from jsonschema import ValidationError
from jsonschema.exceptions import best_match
from jsonschema.validators import validator_for
from rasa.core.actions.action import RemoteAction
from rasa.shared.constants import DOCS_BASE_URL

RASA_VALIDATE_ACTION_RESULT = (
    RemoteAction._validate_action_result
)  # unpatched, for tests


@lru_cache(maxsize=1)
def _response_validator() -> Any:
    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def validate_action_result(self: RemoteAction, result: Dict[str, Any]) -> bool:
    """Rasa's check of an action server's answer, with the validator built once."""
    error: ValidationError | None = best_match(
        _response_validator().iter_errors(result)
    )
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, make sure your "
        "response from the Action endpoint is valid. For more information about the "
        f"format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> None:
    """Applies the patches (idempotent)."""
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def installed() -> bool:
    """Whether :func:`install` has run in this process."""
    return RemoteAction._validate_action_result is validate_action_result
