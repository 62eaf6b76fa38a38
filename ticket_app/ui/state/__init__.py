"""Reflex state classes: validate browser input, call the tickets service, hold one page."""
