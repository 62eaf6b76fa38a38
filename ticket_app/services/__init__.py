"""The service layer: validation, queries and their errors, shared by the REST API and the UI."""
