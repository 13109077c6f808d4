"""The event and volunteer calendar: events, opportunities, shifts, sign-ups, volunteer hours."""
