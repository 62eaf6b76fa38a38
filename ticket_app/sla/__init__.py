"""Service levels without a database: business-time arithmetic on a calendar (`clock`) and a
ticket's timers replayed from its events (`timers`). The services feed them rows."""
