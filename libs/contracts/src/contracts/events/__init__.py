"""The events of every topic, one module per topic; `contracts.registry` indexes them all."""

from contracts.events.audit import AuditRecorded
from contracts.events.auth_users import UserDeactivated, UserRegistered, UserRolesChanged
from contracts.events.optimizer_schedules import OptimizationFailed, ScheduleOptimized
from contracts.events.resources_blocks import BlockAllocated, BlockReleased
from contracts.events.resources_equipment import EquipmentRetired, EquipmentUpserted
from contracts.events.resources_operating_rooms import OperatingRoomRetired, OperatingRoomUpserted
from contracts.events.resources_staff import StaffMemberRetired, StaffMemberUpserted
from contracts.events.scheduling_optimization_requests import OptimizationRequested
from contracts.events.scheduling_surgeries import (
    SurgeryCancelled,
    SurgeryRequestChanged,
    SurgeryRequested,
    SurgeryRescheduled,
    SurgeryScheduled,
    SurgeryStatusChanged,
)

__all__ = [
    "AuditRecorded",
    "BlockAllocated",
    "BlockReleased",
    "EquipmentRetired",
    "EquipmentUpserted",
    "OperatingRoomRetired",
    "OperatingRoomUpserted",
    "OptimizationFailed",
    "OptimizationRequested",
    "ScheduleOptimized",
    "StaffMemberRetired",
    "StaffMemberUpserted",
    "SurgeryCancelled",
    "SurgeryRequestChanged",
    "SurgeryRequested",
    "SurgeryRescheduled",
    "SurgeryScheduled",
    "SurgeryStatusChanged",
    "UserDeactivated",
    "UserRegistered",
    "UserRolesChanged",
]
