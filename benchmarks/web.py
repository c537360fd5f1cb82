"""The web app's speed against its targets: first-load JavaScript, board rendering, drop answer.

- JavaScript: the gzipped size of the scripts the gateway serves (web/dist as `make up` built
  and published it) that the app loads first (index.html's entry and module preloads), and of
  every script headless Chromium fetched to sign in and open the day board; target at most
  300 KB gzipped.
- Rendering: a synthetic board of 20 rooms and 80 cases, fed to the real app by route
  interception so only the browser's work is timed, from its data arriving (parsed) to the board
  drawn, painted and the main thread free again; target 500 ms.
- Review: a synthetic optimization proposal of 5 days x 10 rooms (220 cases), fed by route
  interception (web/e2e/optimization.bench.mjs), from its data arriving (the latest of the
  proposal, its cases, the rooms' open time and the board's day) to the review drawn (figures,
  board with ghosts, case list), painted and the main thread free again; target 500 ms.
- KPIs: the KPI page of the demo hospital for a 31-day range ending yesterday, by room, on the
  real stack (web/e2e/kpis.bench.mjs), from its data arriving (GET /kpis answered and parsed)
  to its tiles, tables and charts drawn, painted and the main thread free again; target 1 s.
- Drop: on the demo hospital, a waiting case dropped onto a taken slot of the round-the-clock
  room, from the drop to the dry run's answer (its conflicts) shown; target 150 ms. The dry run
  asked while dragging is reused when the drop lands on the place it was asked for; the drop
  here follows the first drag-over at once, so it waits for most of that request (its own
  round trip is printed beside it: the browser's share is the difference).

The browser part is web/e2e/board.bench.mjs (Playwright driving Debian's chromium), which prints
its raw timings as JSON; this module sizes the scripts and prints the figures and the ratios to
the targets (below 1 meets the target).
"""

from __future__ import annotations

import asyncio
import gzip
import json
import os
import re
import statistics
from pathlib import Path

import httpx

from benchmarks.gateway import GATEWAY, GATEWAY_CA, gateway_client

WEB = Path(__file__).resolve().parent.parent / "web"
SCRIPT = WEB / "e2e" / "board.bench.mjs"
JS_TARGET_KB = 300.0
RENDER_TARGET_MS = 500.0
DROP_TARGET_MS = 150.0
REVIEW_SCRIPT = WEB / "e2e" / "optimization.bench.mjs"
REVIEW_TARGET_MS = 500.0


async def gzipped_kb(client: httpx.AsyncClient, paths: list[str]) -> float:
    """The gzipped size (level 6) of the scripts the gateway serves at these paths, in KB."""
    total = 0
    for path in paths:
        response = await client.get(f"{GATEWAY}{path}")
        response.raise_for_status()
        total += len(gzip.compress(response.content, compresslevel=6))
    return total / 1024


async def entry_scripts(client: httpx.AsyncClient) -> list[str]:
    """index.html's module entry and the modules it preloads: what every first load fetches."""
    html = (await client.get(f"{GATEWAY}/")).raise_for_status().text
    found = re.findall(r'<script[^>]*type="module"[^>]*src="([^"]+)"', html)
    found += re.findall(r'<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"', html)
    return sorted(set(found))


async def browser_run(script: Path = SCRIPT) -> dict:
    # Node (its fetch) trusts the CA through NODE_EXTRA_CA_CERTS; the browser through the
    # NSS database web/e2e/trust.mjs makes from GATEWAY_CA.
    ca = str(GATEWAY_CA)
    env = {**os.environ, "GATEWAY_URL": GATEWAY, "GATEWAY_CA": ca, "NODE_EXTRA_CA_CERTS": ca}
    process = await asyncio.create_subprocess_exec(
        "node",
        str(script),
        cwd=WEB,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    if process.returncode != 0:
        raise SystemExit(f"web benchmark failed in the browser:\n{err.decode()[-3000:]}")
    return json.loads(out.decode().strip().splitlines()[-1])


def spread(times: list[float]) -> tuple[float, float]:
    return statistics.median(times), max(times)


async def main() -> None:
    async with gateway_client(timeout=30) as client:
        entry = await entry_scripts(client)
        run = await browser_run()
        entry_kb = await gzipped_kb(client, entry)
        board_kb = await gzipped_kb(client, run["scripts"])
    render_p50, render_max = spread(run["renders"])
    drop_p50, drop_max = spread(run["drops"])
    print("web app benchmark (headless chromium, the built app served by the gateway; JS gzipped)")
    print(f"  first-load JS (index.html's entry + preloads, {len(entry)} files): {entry_kb:.1f} KB")
    print(f"  JS to sign in and open the board ({len(run['scripts'])} files): {board_kb:.1f} KB")
    print(f"  ratio board JS / {JS_TARGET_KB:.0f} KB target: {board_kb / JS_TARGET_KB:.2f}")
    print(
        f"  board of {run['rooms']} rooms x {run['cases']} cases, data in -> interactive: "
        f"p50 {render_p50:.0f} ms, max {render_max:.0f} ms over {len(run['renders'])} loads"
    )
    print(f"  ratio p50 / {RENDER_TARGET_MS:.0f} ms target: {render_p50 / RENDER_TARGET_MS:.2f}")
    print(
        f"  drop -> dry-run answer shown (demo hospital): p50 {drop_p50:.0f} ms, "
        f"max {drop_max:.0f} ms over {len(run['drops'])} drops"
    )
    print(f"  ratio p50 / {DROP_TARGET_MS:.0f} ms target: {drop_p50 / DROP_TARGET_MS:.2f}")
    check_p50, check_max = spread(run["checks"])
    print(
        f"  of which the dry run's request (POST .../booking/check): p50 {check_p50:.0f} ms, "
        f"max {check_max:.0f} ms; ratio drop / request p50: {drop_p50 / check_p50:.2f}"
    )
    await print_review()
    await print_kpis()


async def print_review() -> None:
    """The optimization review of a synthetic 5-day, 10-room proposal: data in -> interactive."""
    review = await browser_run(REVIEW_SCRIPT)
    p50, worst = spread(review["loads"])
    print(
        f"  proposal review of {review['days']} days x {review['rooms']} rooms "
        f"({review['cases']} cases, {review['ghosts']} ghosts on the first day), "
        f"data in -> interactive: p50 {p50:.0f} ms, max {worst:.0f} ms "
        f"over {len(review['loads'])} loads"
    )
    print(f"  ratio p50 / {REVIEW_TARGET_MS:.0f} ms target: {p50 / REVIEW_TARGET_MS:.2f}")


KPI_SCRIPT = WEB / "e2e" / "kpis.bench.mjs"
KPI_TARGET_MS = 1000.0


async def print_kpis() -> None:
    """The KPI page of the demo hospital for 31 days, by room: data in -> interactive."""
    run = await browser_run(KPI_SCRIPT)
    p50, worst = spread(run["loads"])
    print(
        f"  KPI page {run['from']} to {run['to']} ({run['rooms']} rooms, sheet "
        f"{run['sheet_bytes'] / 1024:.0f} KB), data in -> interactive: p50 {p50:.0f} ms, "
        f"max {worst:.0f} ms over {len(run['loads'])} loads"
    )
    print(f"  ratio p50 / {KPI_TARGET_MS:.0f} ms target: {p50 / KPI_TARGET_MS:.2f}")
