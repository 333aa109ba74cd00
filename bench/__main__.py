"""Run every benchmark: `python -m bench [NAME...]`; prints ratios and writes bench/results/*.json.

Each module `bench/bench_<name>.py` defines `run(quick: bool) -> list[Figure]`.
"""

from __future__ import annotations

import argparse
import importlib
import pkgutil
import sys

import bench
from bench.common import save


def main() -> int:
    names = sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules(bench.__path__) if m.name.startswith("bench_"))
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("only", nargs="*", metavar="NAME", help=f"benchmarks to run (default: all of {', '.join(names)})")
    parser.add_argument("--quick", action="store_true", help="fewer repetitions and smaller sizes (a smoke run)")
    args = parser.parse_args()
    unknown = sorted(set(args.only) - set(names))
    if unknown:
        parser.error(f"no benchmark named {', '.join(unknown)}; choose from {', '.join(names)}")
    missed = 0
    for name in args.only or names:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"== {name}", flush=True)
        figures = module.run(quick=args.quick)
        for figure in figures:
            print("  " + figure.line(), flush=True)
            missed += figure.ok is False
        print(f"  saved {save(figures, name)}", flush=True)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
