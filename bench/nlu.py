"""NLU benchmarks: parse latency (p50/p99 over the held-out set) and full training time.

Usage::

    .venv/bin/python -m bench.nlu                  # latency + timed `rasa train`
    .venv/bin/python -m bench.nlu --skip-train     # latency only
    .venv/bin/python -m bench.nlu --model models/nlu-stock.tar.gz --skip-train

The model is loaded once; every held-out message (tests/nlu/*.yml) is parsed once after a
warm-up pass, one at a time, as the server would. Training runs the full ``rasa train``
(NLU and dialogue policies) into a temporary folder with ``--force``, so it never touches
models/. Targets on the 2-core machine: parse p50 <= 15 ms, training <= 5 min. Figures are
also written to var/results/bench_nlu.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from scripts.evaluate_nlu import (
    LANGUAGES,
    TEST_DIR,
    load_agent,
    load_examples,
    parse_all,
)

ROOT = Path(__file__).resolve().parent.parent
RESULTS_FILE = ROOT / "var" / "results" / "bench_nlu.json"
P50_TARGET_MS = 15.0
TRAIN_TARGET_S = 300.0


def percentile(values: Sequence[float], fraction: float) -> float:
    """Returns the nearest-rank percentile of ``values`` (``fraction`` in 0..1)."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(fraction * len(ordered) + 0.5) - 1))
    return ordered[index]


def held_out_texts() -> List[str]:
    """Every held-out test message, all languages."""
    texts: List[str] = []
    for language in LANGUAGES:
        path = TEST_DIR / f"{language}.yml"
        if path.exists():
            texts += [example.text for example in load_examples(path)]
    return texts


def parse_latency(model: Path, texts: Sequence[str], warmup: int) -> Dict[str, float]:
    """Parses every text once after a warm-up; returns latency figures in ms."""
    agent = load_agent(model)
    parse_all(agent, list(texts[:warmup]))
    timings = [seconds * 1000 for _, seconds in parse_all(agent, texts)]
    return {
        "messages": len(timings),
        "p50_ms": percentile(timings, 0.50),
        "p90_ms": percentile(timings, 0.90),
        "p99_ms": percentile(timings, 0.99),
        "mean_ms": statistics.fmean(timings),
    }


def training_time(config: Path) -> float:
    """Runs the full ``rasa train`` into a temporary folder; returns seconds."""
    env = dict(os.environ, RASA_TELEMETRY_ENABLED="false", TF_CPP_MIN_LOG_LEVEL="3")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    log = ROOT / "var" / "log" / "bench-train.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as out, log.open("w") as output:
        command = [
            str(ROOT / ".venv" / "bin" / "rasa"),
            "train",
            "--domain",
            "domain.yml",
            "--data",
            "data",
            "--config",
            str(config),
            "--out",
            out,
            "--force",
        ]
        start = time.monotonic()
        result = subprocess.run(
            command, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT
        )
        seconds = time.monotonic() - start
    if result.returncode != 0:
        raise SystemExit(f"rasa train failed; see {log}")
    return seconds


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point; prints the figures and returns the exit code."""
    parser = argparse.ArgumentParser(description="NLU latency and training time.")
    parser.add_argument("--model", type=Path, default=ROOT / "models/current.tar.gz")
    parser.add_argument("--config", type=Path, default=ROOT / "config.yml")
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--skip-train", action="store_true")
    args = parser.parse_args(argv)

    figures: Dict[str, object] = {"model": str(args.model)}
    texts = held_out_texts()
    if not texts:
        print("no held-out messages in tests/nlu/; skipping latency")
    else:
        latency = parse_latency(args.model, texts, args.warmup)
        figures["parse"] = latency
        verdict = "ok" if latency["p50_ms"] <= P50_TARGET_MS else "OVER TARGET"
        print(
            f"NLU parse over {latency['messages']:.0f} held-out messages: "
            f"p50 {latency['p50_ms']:.1f} ms, p90 {latency['p90_ms']:.1f} ms, "
            f"p99 {latency['p99_ms']:.1f} ms, mean {latency['mean_ms']:.1f} ms "
            f"(target p50 <= {P50_TARGET_MS:.0f} ms: {verdict})"
        )
    if not args.skip_train:
        seconds = training_time(args.config)
        figures["train_seconds"] = seconds
        verdict = "ok" if seconds <= TRAIN_TARGET_S else "OVER TARGET"
        print(
            f"full `rasa train` ({args.config.name}): {seconds:.0f} s "
            f"(target <= {TRAIN_TARGET_S:.0f} s: {verdict})"
        )
    RESULTS_FILE.parent.mkdir(parents=True, exist_ok=True)
    RESULTS_FILE.write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
