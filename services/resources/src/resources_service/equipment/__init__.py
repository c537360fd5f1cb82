"""Equipment and its individually identified units: the pieces, their units with maintenance
windows, and the checks a change of units must pass."""
