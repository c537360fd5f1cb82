"""Examples of the SIU feed's messages on Kafka."""

from __future__ import annotations

from contracts.events.interop_siu import SiuMessageBuilt, SiuTrigger
from contracts.examples.ids import SURGERY, at, example_id

_ER7 = "\r".join(
    (
        "MSH|^~\\&|ORSCHED|HOSPITAL|||20261207080000+0100||SIU^S12^SIU_S12|"
        "AAAQEAYEAUDAOCAJBIFQ|P|2.5||||||UNICODE UTF-8",
        "SCH|3e1c1f0a-4a8f-5d8e-9a51-0c1d1b1f2a3b^ORSCHED|"
        "3e1c1f0a-4a8f-5d8e-9a51-0c1d1b1f2a3b^ORSCHED||||booked^booked^99ORS|"
        "ROUTINE^Routine^HL70276||60|min^minutes^ISO+|"
        "^^M60^20261207090000+0100^20261207100000+0100|||||OR-SCHEDULING||||ORSCHED|||||"
        "Booked^Booked^HL70278",
        'PID|1||MRN-0012345^^^HOSPITAL^MR||""',
        "RGS|1",
        "AIS|1||80146002^Appendectomy^SCT|20261207090000+0100|||60|min^minutes^ISO+||"
        "Booked^Booked^HL70278",
        "",
    )
)

BUILT = SiuMessageBuilt(
    surgery_id=SURGERY,
    trigger=SiuTrigger.S12,
    control_id="AAAQEAYEAUDAOCAJBIFQ",
    source_event_id=example_id("event scheduled 1"),
    source_occurred_at=at(7, 7),
    er7=_ER7,
)

EXAMPLES = (BUILT,)
