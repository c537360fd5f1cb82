"""`python -m benchmarks.chaos [--short]`: exits 1 on any loss, duplicate, dead letter or 500."""

from __future__ import annotations

import argparse
import asyncio
import sys

from benchmarks.chaos import LONG, SHORT, run

parser = argparse.ArgumentParser(prog="python -m benchmarks.chaos", description=__doc__)
parser.add_argument("--short", action="store_true", help="each fault once (make test)")
args = parser.parse_args()
sys.exit(0 if asyncio.run(run(SHORT if args.short else LONG)) else 1)
