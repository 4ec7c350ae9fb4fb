"""SLA alerts (预警、超期、督办): the sweep over due clocks, the outbox that delivers them, the
alerts page and API (deadlines.md §4)."""
