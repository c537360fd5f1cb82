"""The demo hospital's resources, as plain data: ten rooms, 43 staff, equipment, a block template.

Kept apart from the code that seeds it (`demo.py`) so a reader sees the hospital at a glance.
Times are local to the hospital; specialties and capabilities use the platform's terms.
"""

from __future__ import annotations

from typing import Any

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday")


def hours(start: str, end: str, days: tuple[str, ...] = WEEKDAYS) -> dict[str, Any]:
    return {day: [{"start": start, "end": end}] for day in days}


ALL_WEEK = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# (code, name, location, capabilities, weekly hours, status)
ROOMS: tuple[tuple[str, str, str, tuple[str, ...], dict[str, Any], str], ...] = (
    (
        "OR-1",
        "Emergency theatre",
        "Main building, floor 1",
        ("general", "orthopaedic", "vascular"),
        hours("00:00", "24:00", ALL_WEEK),
        "active",
    ),
    (
        "OR-2",
        "Orthopaedic theatre 1",
        "Main building, floor 2",
        ("orthopaedic", "laminar_flow"),
        hours("07:30", "17:30"),
        "active",
    ),
    (
        "OR-3",
        "Orthopaedic theatre 2",
        "Main building, floor 2",
        ("orthopaedic", "laminar_flow"),
        hours(
            "07:30", "17:30", ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday")
        ),
        "active",
    ),
    (
        "OR-4",
        "General surgery theatre 1",
        "Main building, floor 2",
        ("general", "vascular"),
        hours("07:30", "17:30"),
        "active",
    ),
    (
        "OR-5",
        "Robotic theatre",
        "Main building, floor 3",
        ("general", "robotic"),
        hours("07:30", "18:00"),
        "active",
    ),
    (
        "OR-6",
        "Neurosurgery theatre",
        "Main building, floor 3",
        ("neuro", "laminar_flow"),
        hours("07:30", "17:30"),
        "active",
    ),
    (
        "OR-7",
        "General surgery theatre 2",
        "Main building, floor 2",
        ("general", "paediatric"),
        hours("08:00", "16:00"),
        "active",
    ),
    (
        "OR-8",
        "Urology and gynaecology theatre",
        "Main building, floor 3",
        ("general",),
        hours("07:30", "17:30"),
        "maintenance",
    ),
    (
        "HYB-1",
        "Hybrid cardiac theatre",
        "Heart centre, floor 1",
        ("cardiac", "hybrid", "vascular", "laminar_flow"),
        hours("07:30", "18:00"),
        "active",
    ),
    (
        "DSU-1",
        "Day surgery theatre",
        "Day surgery unit",
        ("general", "orthopaedic"),
        hours("07:00", "15:00"),
        "active",
    ),
)

DAY_SHIFT = hours("07:00", "17:30")
PART_TIME = hours("07:00", "17:30", ("monday", "tuesday", "wednesday"))
LATE_WEEK = hours("07:00", "17:30", ("wednesday", "thursday", "friday"))

# (name, role, specialties, skills, pattern, max minutes per day)
STAFF: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], dict[str, Any], int | None], ...] = (
    ("Dr Meredith Grey", "surgeon", ("general",), ("robotic_console",), DAY_SHIFT, 600),
    ("Dr Miranda Bailey", "surgeon", ("general",), (), DAY_SHIFT, 600),
    ("Dr Richard Webber", "surgeon", ("general",), (), PART_TIME, 540),
    ("Dr Callie Torres", "surgeon", ("orthopaedics",), (), DAY_SHIFT, 600),
    ("Dr Owen Hunt", "surgeon", ("orthopaedics",), (), DAY_SHIFT, 600),
    ("Dr Atticus Lincoln", "surgeon", ("orthopaedics",), (), LATE_WEEK, 600),
    ("Dr Cristina Yang", "surgeon", ("cardiac",), ("ecmo",), DAY_SHIFT, 660),
    ("Dr Preston Burke", "surgeon", ("cardiac",), (), DAY_SHIFT, 660),
    ("Dr Derek Shepherd", "surgeon", ("neuro",), ("neuronavigation",), DAY_SHIFT, 660),
    ("Dr Amelia Shepherd", "surgeon", ("neuro",), ("neuronavigation",), PART_TIME, 600),
    ("Dr Alex Karev", "surgeon", ("paediatric",), (), DAY_SHIFT, 600),
    ("Dr Jo Wilson", "surgeon", ("urology",), ("robotic_console",), DAY_SHIFT, 600),
    ("Dr Nathan Riggs", "surgeon", ("vascular",), (), DAY_SHIFT, 600),
    ("Dr Addison Montgomery", "surgeon", ("gynaecology",), ("robotic_console",), LATE_WEEK, 600),
    *(
        (f"Dr {name}", "anaesthetist", (), skills, DAY_SHIFT, 600)
        for name, skills in (
            ("Ines Alvarez", ("paediatric_anaesthesia",)),
            ("Tom Becker", ()),
            ("Priya Chandra", ("cardiac_anaesthesia",)),
            ("Jonas de Vries", ()),
            ("Lena Eriksen", ("neuro_anaesthesia",)),
            ("Omar Farouk", ()),
            ("Greta Hansen", ()),
            ("Yusuf Kaya", ("cardiac_anaesthesia",)),
        )
    ),
    *(
        (name, "scrub_nurse", (), skills, pattern, 600)
        for name, skills, pattern in (
            ("Sanne Bakker", ("robotic_assist",), DAY_SHIFT),
            ("Noor Visser", (), DAY_SHIFT),
            ("Emma Smit", ("cardiac",), DAY_SHIFT),
            ("Lotte Mulder", (), PART_TIME),
            ("Daan Meijer", ("orthopaedic",), DAY_SHIFT),
            ("Fleur de Boer", (), LATE_WEEK),
            ("Sem Bos", ("neuro",), DAY_SHIFT),
            ("Julia Vos", (), DAY_SHIFT),
        )
    ),
    *(
        (name, "circulating_nurse", (), (), pattern, 600)
        for name, pattern in (
            ("Anna Peters", DAY_SHIFT),
            ("Tim Hendriks", DAY_SHIFT),
            ("Eva van Leeuwen", DAY_SHIFT),
            ("Lucas Dekker", PART_TIME),
            ("Sophie Brouwer", DAY_SHIFT),
            ("Milan de Wit", LATE_WEEK),
            ("Zoë Dijkstra", DAY_SHIFT),
            ("Finn Smits", DAY_SHIFT),
        )
    ),
    ("Karin Vermeulen", "perfusionist", ("cardiac",), ("ecmo",), DAY_SHIFT, 660),
    ("Ruben Kok", "perfusionist", ("cardiac",), (), DAY_SHIFT, 660),
    ("Bram Jacobs", "technician", (), ("c_arm", "neuronavigation"), DAY_SHIFT, 600),
    ("Iris de Haan", "technician", (), ("surgical_robot",), DAY_SHIFT, 600),
    ("Thijs Schouten", "technician", (), ("laser",), PART_TIME, 480),
)

# (name, type, mobile, turnaround minutes, units as (label, serial, fixed room code))
EQUIPMENT: tuple[tuple[str, str, bool, int, tuple[tuple[str, str, str | None], ...]], ...] = (
    (
        "Mobile C-arm",
        "c_arm",
        True,
        15,
        (
            ("C-arm 1", "CA-2019-0001", None),
            ("C-arm 2", "CA-2021-0002", None),
            ("C-arm 3", "CA-2023-0003", None),
        ),
    ),
    ("Surgical robot", "surgical_robot", False, 60, (("Robot 1", "SR-2022-0001", "OR-5"),)),
    (
        "Operating microscope",
        "microscope",
        True,
        20,
        (("Microscope 1", "OM-2020-0001", None), ("Microscope 2", "OM-2024-0002", None)),
    ),
    (
        "Surgical laser",
        "laser",
        True,
        10,
        (("Laser 1", "LS-2018-0001", None), ("Laser 2", "LS-2022-0002", None)),
    ),
    (
        "Heart-lung machine",
        "heart_lung_machine",
        False,
        45,
        (("HLM 1", "HL-2021-0001", "HYB-1"), ("HLM 2", "HL-2023-0002", "HYB-1")),
    ),
    (
        "Neuronavigation system",
        "neuronavigation",
        True,
        15,
        (("Navigation 1", "NV-2022-0001", None),),
    ),
    (
        "Ultrasound",
        "ultrasound",
        True,
        5,
        (
            ("Ultrasound 1", "US-2020-0001", None),
            ("Ultrasound 2", "US-2021-0002", None),
            ("Ultrasound 3", "US-2024-0003", None),
        ),
    ),
    (
        "Arthroscopy tower",
        "arthroscopy_tower",
        True,
        30,
        (("Arthroscopy 1", "AT-2019-0001", None), ("Arthroscopy 2", "AT-2022-0002", None)),
    ),
)

# The weekly block template: (room code, weekdays, start, end, surgeon name or None, service)
BLOCKS: tuple[tuple[str, tuple[str, ...], str, str, str | None, str | None], ...] = (
    ("OR-2", ("monday", "wednesday", "friday"), "07:30", "17:30", None, "orthopaedics"),
    ("OR-2", ("tuesday",), "07:30", "12:30", "Dr Callie Torres", None),
    ("OR-3", ("tuesday", "thursday"), "07:30", "17:30", None, "orthopaedics"),
    ("OR-4", ("monday", "tuesday", "wednesday"), "07:30", "17:30", None, "general"),
    ("OR-4", ("thursday",), "07:30", "12:30", None, "vascular"),
    ("OR-5", ("monday", "thursday"), "07:30", "18:00", "Dr Meredith Grey", None),
    ("OR-5", ("tuesday",), "07:30", "18:00", "Dr Jo Wilson", None),
    ("OR-5", ("friday",), "07:30", "13:00", "Dr Addison Montgomery", None),
    ("OR-6", ("monday", "tuesday", "thursday"), "07:30", "17:30", None, "neuro"),
    ("OR-7", ("wednesday",), "08:00", "16:00", "Dr Alex Karev", None),
    ("HYB-1", WEEKDAYS, "07:30", "18:00", None, "cardiac"),
    ("DSU-1", ("monday", "tuesday"), "07:00", "15:00", None, "general"),
    ("DSU-1", ("thursday", "friday"), "07:00", "15:00", None, "orthopaedics"),
)

# The demo logins of PRODUCT.md that are clinicians, and the staff member each one is: signing
# in as the demo surgeon shows that surgeon's own cases (`demo_logins.py` links them).
DEMO_LOGINS: tuple[tuple[str, str], ...] = (("surgeon@example.org", "Dr Meredith Grey"),)
