"""What pages show, as small frozen view models made from the services' answers: rows of a
list, a ticket as its page shows it, timeline lines. States hold these, never database rows,
so what reaches the browser is exactly what a page needs."""
