"""Support desk: tickets with AI-suggested category and priority (Reflex UI + REST API)."""
