"""Notifications (issue 16): each account's inbox, and ``notify`` that the domains call inside their
writes (a change decided, a placement, a veto, the time-based sweeps)."""
