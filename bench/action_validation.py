"""Cost of checking one custom action's answer in the Rasa server: Rasa 3.6's
``RemoteAction._validate_action_result`` against the patched one
(``infra/rasa_patches.py``). Prints microseconds per call for a typical answer of the
form (a few slots, one response) and the speed-up.
"""

from __future__ import annotations

import time
from typing import Any, Callable, Dict

from rasa.core.actions.action import RemoteAction

from infra import rasa_patches

ANSWER: Dict[str, Any] = {
    "events": [
        {"event": "slot", "timestamp": None, "name": "application_step", "value": "x"},
        {"event": "slot", "timestamp": None, "name": "application", "value": {"a": 1}},
        {"event": "slot", "timestamp": None, "name": "requested_slot", "value": "y"},
    ],
    "responses": [
        {"response": "utter_ask_field", "prompt": "Your name?", "buttons": []}
    ],
}


def per_call(validate: Callable[..., bool], action: RemoteAction, calls: int) -> float:
    validate(action, ANSWER)  # warm up (imports, caches)
    started = time.perf_counter()
    for _ in range(calls):
        validate(action, ANSWER)
    return (time.perf_counter() - started) / calls * 1e6


def main(calls: int = 2000) -> None:
    action = RemoteAction("action_bench", None)
    rasa = per_call(rasa_patches.RASA_VALIDATE_ACTION_RESULT, action, calls)
    patched = per_call(rasa_patches.validate_action_result, action, calls)
    print(f"{'validation of one action answer':34} {'us/call':>10}")
    print(f"{'Rasa 3.6 (jsonschema.validate)':34} {rasa:10.1f}")
    print(f"{'patched (validator built once)':34} {patched:10.1f}")
    print(f"speed-up: {rasa / patched:.1f}x over {calls} calls")


if __name__ == "__main__":
    main()
