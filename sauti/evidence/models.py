"""The evidence app keeps no tables of its own: the audit chain's moved to sauti.audit and the log-in
hardening's to sauti.people (migration 0003 hands them over; the tables keep their evidence_* names)."""
