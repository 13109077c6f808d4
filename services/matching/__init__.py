"""The matching service: local issues (needs), ranked partners (seeds), and the
collaboration lifecycle from first contact to a published case study."""
