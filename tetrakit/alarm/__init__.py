"""The hospital alarm controller (``docs/alarm.md``).

- :mod:`~tetrakit.alarm.config`: YAML configuration -> frozen dataclasses.
- :mod:`~tetrakit.alarm.engine`: the sans-I/O alarm state machine.
- :mod:`~tetrakit.alarm.message`: the 94-character call-out text.
- :mod:`~tetrakit.alarm.journal`: the SQLite (WAL) journal and audit trail.
- :mod:`~tetrakit.alarm.dispatcher`: priority-ordered sending through the radios.
- :mod:`~tetrakit.alarm.controller`, :mod:`~tetrakit.alarm.control`,
  :mod:`~tetrakit.alarm.daemon`: the asyncio daemon and its control socket.

Nothing is imported here, so that importing the sans-I/O engine does not pull
in asyncio or sqlite.
"""
