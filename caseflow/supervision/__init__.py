"""Supervision: the figures a supervisor is judged by (on-time share, 临期, annual returns), the
queue of cases waiting for the supervisor's own decision, and the holiday squeeze."""
