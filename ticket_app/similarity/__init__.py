"""Similar tickets' text side: ticket text to weighted terms; knows nothing of the database.

`terms` turns a title and a description into the vector the index stores and the one a query
is scored with; `evaluate` measures how well the whole service finds tickets of the same
intent (`python -m ticket_app.similarity.evaluate FILE.jsonl`).
"""
