"""Notices (文书): PDF documents issued by transitions, numbered, stored once, verifiable.

``services.notice_queue`` (inside a transition) and ``services.notices_render_pending`` (after
its commit) are the entry points; ``views`` serves ``/verify/<code>`` and ``/notices/<id>.pdf``.
"""
