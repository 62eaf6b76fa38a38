"""What keeps open pages current, process-wide: one revision poller (`revision`), at most one
watcher per tab (`tabs`), and one query per view per change shared by every tab (`shared_reads`).
The page states use them through `ui/state/live.py`."""
