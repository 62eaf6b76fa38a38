"""GET /api/tickets/export.csv: the list's filters and order, RFC 4180, safe in spreadsheets."""

import csv
import io


def rows(response) -> list[list[str]]:
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert response.headers["content-disposition"].startswith('attachment; filename="tickets-')
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_export_follows_the_lists_filters_and_order(client, agent):
    for title, priority in (("Low one", "low"), ("Critical one", "critical"), ("High one", "high")):
        client.post(
            "/api/tickets/",
            json={"title": title, "description": "d", "category": "billing", "priority": priority},
        )
    client.post(
        "/api/tickets/",
        json={"title": "Other", "description": "d", "category": "general", "priority": "low"},
    )
    table = rows(client.get("/api/tickets/export.csv?category=billing&sort=priority"))
    header, *body = table
    assert header[:6] == ["id", "title", "description", "category", "priority", "status"]
    assert header[-1] == "note_count"
    assert [row[1] for row in body] == ["Critical one", "High one", "Low one"]
    assert body[0][6] == "ada.admin@example.com"  # the requester's email


def test_quoting_line_breaks_unicode_and_formula_injection(client):
    description = 'He said "hi",\nthen left. Ünïcödé ✓'
    for title in ('=HYPERLINK("http://evil")', "+1 minus", "-2", "@SUM(A1)", "Plain"):
        client.post(
            "/api/tickets/",
            json={
                "title": title,
                "description": description,
                "category": "general",
                "priority": "low",
            },
        )
    body = rows(client.get("/api/tickets/export.csv?sort=oldest"))[1:]
    titles = [row[1] for row in body]
    assert titles == ['\'=HYPERLINK("http://evil")', "'+1 minus", "'-2", "'@SUM(A1)", "Plain"]
    assert all(row[2] == description for row in body)


def test_a_requester_exports_only_their_own_and_no_note_count(api, requester, client):
    client.post(
        "/api/tickets/",
        json={
            "title": "Someone else's",
            "description": "d",
            "category": "general",
            "priority": "low",
        },
    )
    rita = api(requester)
    rita.post("/api/tickets/", json={"title": "Mine", "description": "d"})
    header, *body = rows(rita.get("/api/tickets/export.csv"))
    assert "note_count" not in header
    assert [row[1] for row in body] == ["Mine"]


def test_cells_starting_with_a_tab_or_a_carriage_return_are_neutralised_too():
    from ticket_app.services.export import neutral

    assert [neutral(text) for text in ("\tx", "\rx", "x=1", None, 5)] == [
        "'\tx",
        "'\rx",
        "x=1",
        "",
        "5",
    ]


def test_an_export_walks_past_one_page(client, monkeypatch):
    from ticket_app.services import export

    monkeypatch.setattr(export, "EXPORT_PAGE", 2)
    for number in range(5):
        client.post(
            "/api/tickets/",
            json={
                "title": f"T{number}",
                "description": "d",
                "category": "general",
                "priority": "low",
            },
        )
    body = rows(client.get("/api/tickets/export.csv"))[1:]
    assert [row[1] for row in body] == ["T4", "T3", "T2", "T1", "T0"]


def test_bad_filters_are_a_problem_and_no_token_is_401(client, api):
    assert client.get("/api/tickets/export.csv?status=nope").status_code == 400
    assert api().get("/api/tickets/export.csv").status_code == 401
