"""The chaos run's verdict: what it counts, and that any loss, duplicate, dead letter or 500
fails it while 503s, lost answers and a killed service's 502s do not."""

from __future__ import annotations

from benchmarks.chaos.checks import check_events
from benchmarks.chaos.kafka_log import DLQS
from benchmarks.chaos.ledger import CALM, Answer, Findings, Ledger, Verdict

ROOMS_TOPIC, CASES_TOPIC = "resources.operating-rooms.v1", "scheduling.surgeries.v1"


def ledger_of(*answers: Answer) -> Ledger:
    ledger = Ledger()
    for answer in answers:
        ledger.note(answer)
    return ledger


def room_event(room_id: str, version: int, event_id: str) -> dict:
    data = {"room_id": room_id, "version": version}
    return {"event_type": "OperatingRoomUpserted", "event_id": event_id, "data": data}


def case_event(surgery_id: str, event_id: str) -> dict:
    data = {"surgery_id": surgery_id}
    return {"event_type": "SurgeryRequested", "event_id": event_id, "data": data}


def test_outage_answers_and_a_killed_services_502s_pass():
    ledger = ledger_of(
        Answer("create room", CALM, 201),
        Answer("create room", "PostgreSQL restart", 503, retry_after=True),
        Answer("request case", "scheduling SIGKILL", 502),
        Answer("request case", "scheduling SIGKILL", None),
    )
    verdict = Verdict(ledger, Findings())
    assert verdict.passed
    lines = verdict.lines()
    assert "acknowledged: 1 (rooms 0, cases 0)" in lines
    assert "  503 during PostgreSQL restart: 1" in lines
    assert "  502 during scheduling SIGKILL: 1" in lines
    assert "unanswered (no HTTP answer): 1 (scheduling SIGKILL 1)" in lines


def test_a_single_500_fails_the_run():
    ledger = ledger_of(Answer("create room", "PostgreSQL restart", 500))
    verdict = Verdict(ledger, Findings())
    assert not verdict.passed
    assert verdict.lines()[-1] == "FAIL"


def test_a_loss_a_duplicate_or_a_dead_letter_fails_the_run():
    for findings in (
        Findings(lost=["room r1 v2 never reached scheduling's read model"]),
        Findings(duplicated=["r1 published under 2 event ids"]),
        Findings(dead_lettered={"scheduling.surgeries.v1.dlq": 1}),
    ):
        assert not Verdict(Ledger(), findings).passed


def test_events_of_every_room_version_and_case_under_one_id_each_are_clean():
    messages = {
        ROOMS_TOPIC: [room_event("r1", 1, "e1"), room_event("r1", 2, "e2")],
        CASES_TOPIC: [case_event("c1", "e3"), case_event("c1", "e3")],  # a redelivery
    }
    findings = Findings()
    check_events(messages, {"r1": 2}, {"c1"}, findings)
    assert (findings.lost, findings.duplicated) == ([], [])
    assert set(findings.dead_lettered) == set(DLQS)
    assert sum(findings.dead_lettered.values()) == 0


def test_a_version_never_published_is_lost_and_a_change_made_twice_is_duplicated():
    messages = {
        ROOMS_TOPIC: [room_event("r1", 1, "e1")],
        CASES_TOPIC: [case_event("c1", "e3"), case_event("c1", "e4")],
        "scheduling.surgeries.v1.dlq": [case_event("c2", "e5")],
    }
    findings = Findings()
    check_events(messages, {"r1": 2}, {"c1"}, findings)
    assert findings.lost == ["room r1 v2 never published"]
    assert findings.duplicated == ["c1 published under 2 event ids"]
    assert findings.dead_lettered["scheduling.surgeries.v1.dlq"] == 1


def test_a_run_that_could_not_finish_its_faults_fails_and_says_why():
    verdict = Verdict(Ledger(), Findings(broken="RuntimeError: kafka.sh start failed"))
    assert not verdict.passed
    assert "  the run could not finish: RuntimeError: kafka.sh start failed" in verdict.lines()
