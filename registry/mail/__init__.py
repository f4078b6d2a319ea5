"""Email that is delivered (issue 16): the ``mail_outbox`` table, filled inside the writes whose events
it mails (``outbox.enqueue``), and sent with retries by whoever delivers (``delivery.deliver_due``: the
server in the background, or ``registry notifications deliver`` from cron). docs/architecture.md, "Email"."""
