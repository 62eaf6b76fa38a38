"""Reusable pieces of the pages: badges, labelled fields, layout, feedback, charts."""
