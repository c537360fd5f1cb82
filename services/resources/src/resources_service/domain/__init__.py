"""The resources service's rules without I/O: block clashes and releases, where equipment
units may stand. Plain functions over plain data; the time rules live in `contracts.calendar`."""
