"""Redaction of another customer's data, each kind on its own, and the template filler."""

import pytest

from ticket_app.assist import placeholders
from ticket_app.assist.redact import details, redact
from ticket_app.assist.writer import adapt


@pytest.mark.parametrize(
    ("text", "kept", "gone"),
    [
        ("Mail anna.f@example.com today", "[email]", "anna.f@example.com"),
        ("Call +44 20 7946 0958 now", "[phone]", "7946"),
        ("Order ORD-55123 shipped", "[order number]", "55123"),
        ("your purchase 113542617735902 is late", "[order number]", "113542617735902"),
        ("Invoice #00108 is paid", "[invoice number]", "00108"),
        ("account 99887766 is closed", "[account number]", "99887766"),
        ("we refunded $1,499.00 and 12 EUR", "[amount]", "1,499"),
        ("it went to 221 Maple Avenue yesterday", "[address]", "Maple"),
        ("the bill from Mr. Jones", "[name]", "Jones"),
        ("Hi Anna, thanks", "Hi [name]", "Anna"),
        ("Regards,\nBob Smith", "[name]", "Bob"),
        ("My name is Grace Holloway.", "[name]", "Holloway"),
    ],
)
def test_each_kind_of_data_becomes_a_neutral_placeholder(text, kept, gone):
    redacted = redact(text)
    assert kept in redacted
    assert gone not in redacted


def test_known_names_and_echoes_of_the_customer_go_but_this_tickets_words_stay():
    reply = "Dear Customer, we ship to Toronto and Lisbon. Zed Quill asked the same."
    redacted = redact(
        reply,
        names=["Zed Quill"],
        customer_text="do you ship to toronto and lisbon?",
        keep="I live in Lisbon",
    )
    assert "Toronto" not in redacted
    assert "Lisbon" in redacted  # this ticket's own word
    assert "Zed" not in redacted
    assert "Quill" not in redacted


def test_years_and_step_numbers_are_not_data():
    assert redact("In 2023 we changed it. 1. Sign in 2. Open Orders") == (
        "In 2023 we changed it. 1. Sign in 2. Open Orders"
    )


def test_foreign_templates_become_words_and_this_tickets_data_fills_in():
    source = (
        "Cancel {{Order Number}} in {{Order History}} or call {{Customer Support Phone Number}}."
    )
    draft = adapt(source, ticket_text="cancel order 4587345", first_name="Rita")
    assert draft == "Cancel 4587345 in Order History or call our support phone line."
    assert "{{" not in draft
    assert details("two orders: order 11111 and order 22222")["[order number]"] == [
        "11111",
        "22222",
    ]
    assert adapt("Order [order number]", ticket_text="order 11111 or 22222", first_name="") == (
        "Order [order number]"  # two of them: the agent picks
    )


def test_canned_placeholders_are_checked_and_filled():
    assert placeholders.unknown("Hi {{requester.name}} {{ foo }} {{") == [
        "{{ foo }}",
        "an unclosed {{",
    ]
    values = placeholders.values(ticket_id=7, title="T", requester_name="Rita Ray", agent_name="Al")
    assert placeholders.fill("{{requester.first_name}}/{{ ticket.id }}", values) == "Rita/7"
