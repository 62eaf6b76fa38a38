"""The project's own training material, and the composer that turns it into tickets."""
