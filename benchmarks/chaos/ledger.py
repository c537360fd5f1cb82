"""What the chaos run saw: every command's answer, what was acknowledged, and the verdict.

Pure bookkeeping, no I/O: the stream writes into it, the checks compare it with what the
services and Kafka hold afterwards, and `Verdict` prints the counts and says pass or fail.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

CALM = "calm"  # the phase outside any fault


@dataclass
class Answer:
    command: str  # "create room", "rename room", "request case"
    phase: str  # the fault under way when the command was sent, or CALM
    status: int | None  # None: no answer (connection refused or reset, timeout)
    retry_after: bool = False


@dataclass
class Ledger:
    """Everything acknowledged (2xx) during the run, and every answer."""

    answers: list[Answer] = field(default_factory=list)
    rooms: dict[str, int] = field(default_factory=dict)  # room_id -> last acknowledged version
    cases: dict[str, str] = field(default_factory=dict)  # surgery_id -> MRN
    unacknowledged_mrns: set[str] = field(default_factory=set)  # requested, no 2xx seen

    def note(self, answer: Answer) -> None:
        self.answers.append(answer)

    @property
    def acknowledged(self) -> int:
        return sum(1 for a in self.answers if a.status is not None and 200 <= a.status < 300)

    def server_errors(self) -> Counter[tuple[str, int]]:
        """5xx answers by (phase, status)."""
        return Counter(
            (a.phase, a.status) for a in self.answers if a.status is not None and a.status >= 500
        )

    def unanswered(self) -> Counter[str]:
        return Counter(a.phase for a in self.answers if a.status is None)

    def outage_answers_without_retry_after(self) -> int:
        return sum(1 for a in self.answers if a.status == 503 and not a.retry_after)


@dataclass
class Findings:
    """What the checks found after the faults, each a list of what it concerns."""

    lost: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    dead_lettered: dict[str, int] = field(default_factory=dict)  # DLQ topic -> new messages
    applied_unacknowledged: int = 0  # no 2xx seen, yet the change is there (a lost answer)
    broken: str | None = None  # why the run could not finish its faults or checks


@dataclass(frozen=True)
class Verdict:
    ledger: Ledger
    findings: Findings

    @property
    def internal_errors(self) -> int:
        return sum(n for (_, status), n in self.ledger.server_errors().items() if status == 500)

    @property
    def passed(self) -> bool:
        f = self.findings
        failed = f.lost or f.duplicated or sum(f.dead_lettered.values()) or self.internal_errors
        return not (failed or f.broken)

    def lines(self) -> list[str]:
        ledger, f = self.ledger, self.findings
        lines = [
            f"commands sent: {len(ledger.answers)}",
            f"acknowledged: {ledger.acknowledged}"
            f" (rooms {len(ledger.rooms)}, cases {len(ledger.cases)})",
            f"lost: {len(f.lost)}",
            f"duplicated: {len(f.duplicated)}",
            f"dead-lettered: {sum(f.dead_lettered.values())}",
            f"applied though unacknowledged (answer lost): {f.applied_unacknowledged}",
            f"unanswered (no HTTP answer): {sum(ledger.unanswered().values())}"
            + _by_phase(ledger.unanswered()),
            f"503 without Retry-After: {ledger.outage_answers_without_retry_after()}",
        ]
        errors = ledger.server_errors()
        lines.append(f"5xx: {sum(errors.values())}")
        for (phase, status), count in sorted(errors.items()):
            lines.append(f"  {status} during {phase}: {count}")
        lines += [f"  LOST {item}" for item in f.lost[:20]]
        lines += [f"  DUPLICATED {item}" for item in f.duplicated[:20]]
        lines += [f"  DLQ {topic}: {n}" for topic, n in sorted(f.dead_lettered.items()) if n]
        if f.broken:
            lines.append(f"  the run could not finish: {f.broken}")
        lines.append("PASS" if self.passed else "FAIL")
        return lines


def _by_phase(counts: Counter[str]) -> str:
    if not counts:
        return ""
    return " (" + ", ".join(f"{phase} {n}" for phase, n in sorted(counts.items())) + ")"
