"""A case and its request: the waiting list (`surgeries`), its lifecycle moves (`case_moves`),
who may see it (`case_access`), and what every change of a case shares (`cases`)."""
