"""Small RFC 5322 messages for the mail tests and the bench."""


def message(
    number: int,
    *,
    sender: str | None = None,
    subject: str | None = None,
    body: str | None = None,
    headers: str = "",
) -> bytes:
    """Message `number`: its own Message-ID, sender (unless given), subject and text."""
    sender = sender or f"customer{number}@customer.example"
    subject = subject or f"Printer {number} does not print"
    body = body or f"Message number {number}: the printer shows error E{number}."
    text = (
        f"From: Customer {number} <{sender}>\r\n"
        "To: support@localhost\r\n"
        f"Subject: {subject}\r\n"
        "Date: Mon, 08 Jan 2024 10:00:00 +0100\r\n"
        f"Message-ID: <m{number}@customer.example>\r\n"
        f"{headers}"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"{body}\r\n"
    )
    return text.encode()
