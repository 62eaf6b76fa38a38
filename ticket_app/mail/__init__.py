"""Outgoing mail: composing messages (`compose`) and working the outbox (`sender`)."""
