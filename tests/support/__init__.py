"""What the tests (and the benches) share, in one place that imports no test module, so any
test can use it without pulling in another test file's tests or fixtures:

- `api`: making tickets through the REST API, walking a paged list, reading problem answers;
- `database`: counting and reading rows with raw SQL, a scratch database beside the session's;
- `passwords`: the test users' password, and Argon2id at its least cost for tests that hash;
- `reflex_client`: a browser tab without the browser, over Reflex's websocket.
"""
