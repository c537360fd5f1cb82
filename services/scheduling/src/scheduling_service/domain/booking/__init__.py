"""The booking rules, pure: what a placement is judged on (`booking_facts`), one conflict, and
the rules that find them for rooms and cases, people and units (`conflicts` and its helpers)."""
