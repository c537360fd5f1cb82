"""Booking a case or moving it: the facts it is judged on and what it waits for, the
judgement and the write (`booking`), and the trail a booking leaves (`booking_records`)."""
