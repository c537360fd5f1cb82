"""The demo hospital's waiting list, as plain data: what each specialty operates on, and how long.

Kept apart from the code that seeds it (`demo.py`). Procedure codes are OPCS-4; durations,
setup and cleanup are typical minutes; the needs match the demo hospital's rooms, equipment
and staff as resources seeds them.
"""

from __future__ import annotations

from dataclasses import dataclass

GENERAL_TEAM = (("anaesthetist", 1), ("scrub_nurse", 1), ("circulating_nurse", 1))
LIGHT_TEAM = (("scrub_nurse", 1),)


@dataclass(frozen=True, slots=True)
class Procedure:
    code: str
    name: str
    minutes: int
    setup: int
    cleanup: int
    capabilities: tuple[str, ...]
    equipment: tuple[str, ...] = ()
    team: tuple[tuple[str, int], ...] = GENERAL_TEAM
    anaesthesia: str = "general"


PROCEDURES: dict[str, tuple[Procedure, ...]] = {
    "general": (
        Procedure("H01.1", "Laparoscopic appendicectomy", 60, 20, 15, ("general",)),
        Procedure("J18.3", "Laparoscopic cholecystectomy", 75, 20, 15, ("general",)),
        Procedure("T20.1", "Primary repair of inguinal hernia", 60, 15, 15, ("general",)),
        Procedure("H33.4", "Anterior resection of rectum", 210, 30, 20, ("general",)),
    ),
    "orthopaedics": (
        Procedure("W40.1", "Total knee replacement", 110, 30, 20, ("orthopaedic",), ("c_arm",)),
        Procedure("W37.1", "Total hip replacement", 120, 30, 20, ("orthopaedic",), ("c_arm",)),
        Procedure(
            "W85.1",
            "Arthroscopic knee meniscectomy",
            45,
            20,
            15,
            ("orthopaedic",),
            ("arthroscopy_tower",),
            anaesthesia="regional",
        ),
    ),
    "cardiac": (
        Procedure(
            "K40.1",
            "Coronary artery bypass graft",
            240,
            45,
            30,
            ("cardiac",),
            ("heart_lung_machine",),
            (*GENERAL_TEAM, ("perfusionist", 1)),
        ),
        Procedure(
            "K26.1",
            "Aortic valve replacement",
            210,
            45,
            30,
            ("cardiac",),
            ("heart_lung_machine",),
            (*GENERAL_TEAM, ("perfusionist", 1)),
        ),
    ),
    "neuro": (
        Procedure(
            "A02.1",
            "Excision of lesion of brain",
            240,
            40,
            20,
            ("neuro",),
            ("neuronavigation", "microscope"),
        ),
        Procedure("V33.7", "Lumbar microdiscectomy", 90, 25, 15, ("neuro",), ("microscope",)),
    ),
    "paediatric": (
        Procedure("T19.1", "Paediatric inguinal herniotomy", 45, 15, 15, ("paediatric",)),
        Procedure("F34.1", "Tonsillectomy", 40, 15, 10, ("paediatric",)),
    ),
    "urology": (
        Procedure(
            "M61.1",
            "Robotic radical prostatectomy",
            180,
            40,
            25,
            ("robotic",),
            ("surgical_robot",),
        ),
        Procedure(
            "M45.9",
            "Diagnostic cystoscopy",
            30,
            10,
            10,
            ("general",),
            team=LIGHT_TEAM,
            anaesthesia="local",
        ),
    ),
    "vascular": (
        Procedure("L29.4", "Carotid endarterectomy", 120, 30, 20, ("vascular",), ("ultrasound",)),
        Procedure("L85.1", "Varicose vein ligation", 60, 15, 15, ("vascular",)),
    ),
    "gynaecology": (
        Procedure("Q07.4", "Robotic hysterectomy", 150, 40, 25, ("robotic",), ("surgical_robot",)),
        Procedure(
            "Q18.1",
            "Diagnostic hysteroscopy",
            30,
            10,
            10,
            ("general",),
            team=LIGHT_TEAM,
            anaesthesia="sedation",
        ),
    ),
}

# How many requests each specialty has waiting over the two weeks, and the share that is urgent.
REQUESTS_PER_SPECIALTY = {
    "general": 14,
    "orthopaedics": 14,
    "cardiac": 6,
    "neuro": 6,
    "paediatric": 5,
    "urology": 5,
    "vascular": 5,
    "gynaecology": 5,
}
URGENT_EVERY = 7  # one request in seven is urgent
EMERGENCY_EVERY = 29  # one in twenty-nine is an emergency
