"""Runs every benchmark in turn (``make bench``); each prints its own figures."""

from __future__ import annotations

import subprocess
import sys

BENCHMARKS = (
    ("NLU parse latency and training time", ["bench.nlu"]),
    ("Rasa checking a custom action's answer", ["bench.action_validation"]),
    (
        "WhatsApp webhook: paced at one number's 80 msg/s",
        ["bench.whatsapp", "--rate", "80"],
    ),
    ("WhatsApp webhook: as fast as possible", ["bench.whatsapp", "--rate", "0"]),
    ("Webhook fuzz: 10,000 signed WhatsApp payloads", ["bench.fuzz_webhooks"]),
    ("The product against Rasa's stock moodbot, same load (REST)", ["bench.stock"]),
)


def main() -> int:
    """Runs the benchmarks; returns non-zero if any of them failed to run."""
    failed = 0
    for title, module in BENCHMARKS:
        print(f"\n=== {title}", flush=True)
        failed += subprocess.call([sys.executable, "-m", *module]) != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
