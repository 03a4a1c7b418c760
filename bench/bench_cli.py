"""How long `journeyheal --help` takes (target: well under 2 s), median of several runs."""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

RUNS = 7


def main() -> None:
    command = [str(Path(sys.executable).parent / "journeyheal"), "--help"]
    durations = []
    for _ in range(RUNS):
        started = time.perf_counter()
        subprocess.run(command, capture_output=True, check=True)
        durations.append(time.perf_counter() - started)
    print(
        f"journeyheal --help: median {statistics.median(durations):.3f} s, "
        f"max {max(durations):.3f} s over {RUNS} runs (target < 2 s)"
    )


if __name__ == "__main__":
    main()
