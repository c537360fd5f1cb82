"""The demo hospital's waiting list for `make up`: its cases as plain data (`demo_cases`), packed
into block time (`demo_plan`), written and partly booked through the use cases (`demo`)."""
