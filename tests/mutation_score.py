"""Per-module mutation score of the last `make mutation` run (reads mutmut's results under mutants/).

Run by `make mutation`; by hand: `python -m tests.mutation_score`. Score = killed / (all - not yet checked); a
timeout counts as killed (the mutant made the tests hang), "no tests" counts as survived.
"""

import json
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

KILLED = {"killed", "timeout", "caught by type check", "segfault"}


def scores(root: Path = Path("mutants")) -> dict[str, Counter]:
    by_module = {}
    for meta in sorted(root.rglob("*.py.meta")):
        module = str(meta.relative_to(root))[: -len(".meta")]
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        by_module[module] = Counter(status_by_exit_code[code] for code in codes.values())
    return by_module


def main() -> int:
    rows = scores()
    if not rows:
        print("No mutmut results under mutants/: run `make mutation` first.")
        return 1
    total_killed = total_checked = 0
    print(f"{'module':32} {'mutants':>7} {'checked':>7} {'killed':>7} {'survived':>8} {'score':>6}")
    for module, c in rows.items():
        checked = sum(c.values()) - c["not checked"]
        killed = sum(c[s] for s in KILLED)
        total_killed, total_checked = total_killed + killed, total_checked + checked
        score = f"{100 * killed / checked:.1f}%" if checked else "-"
        print(f"{module:32} {sum(c.values()):7} {checked:7} {killed:7} {checked - killed:8} {score:>6}")
    if total_checked:
        print(f"{'all':32} {'':7} {total_checked:7} {total_killed:7} {total_checked - total_killed:8} "
              f"{100 * total_killed / total_checked:5.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
