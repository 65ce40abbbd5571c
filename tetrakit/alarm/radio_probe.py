"""Supervision polls for an :class:`~tetrakit.radio.AsyncRadio` (the link supervision adapter).

One poll (alarm-domain.md §8, pei.md §1.7) is three commands on the radio's
ready link: ``AT`` (keep-alive), ``AT+CREG?`` (registered to the network?) and
``AT+CSQ?`` (signal, ``dBm = -113 + 2 * rssi``).  A link that is not ready
(silent, reconnecting, initialising) or a command that gets no answer makes the
poll a miss.

Re-initialisation: the radio session itself re-runs the init profile
(``AT+CTSP`` registrations) when it sees the radio restart or come back from a
silence (:mod:`tetrakit.radio.session`), so :meth:`RadioProbe.reinit` waits
for that to finish rather than sending a second, competing init.  A poll that
finds the session's re-init counter moved reports ``rebooted`` so supervision
logs it.
"""

from __future__ import annotations

import logging

from tetrakit.alarm.supervision import PollOutcome, registered_stat
from tetrakit.errors import CommandError
from tetrakit.pei import commands
from tetrakit.pei.results import Creg, Csq
from tetrakit.radio.aio import AsyncRadio
from tetrakit.radio.events import LinkState

__all__ = ["RadioProbe"]

log = logging.getLogger(__name__)


class RadioProbe:
    """Polls one AsyncRadio for supervision.

    Args:
        radio: the radio session.
        timeout: seconds each command of a poll may take.
    """

    def __init__(self, radio: AsyncRadio, *, timeout: float = 5.0) -> None:
        self.radio = radio
        self.timeout = timeout
        self._reinits = radio.health().reinit_count

    async def supervision_poll(self) -> PollOutcome:
        """Run ``AT``, ``AT+CREG?``, ``AT+CSQ?``; TetrakitError when the link is not usable."""
        radio = self.radio
        if radio.state is not LinkState.READY:
            health = radio.health()
            why = f": {health.last_error}" if health.last_error else ""
            return PollOutcome(answered=False, detail=f"link {health.state.value}{why}")
        await radio.command(commands.at(), self.timeout)
        registered: bool | None
        detail = ""
        try:
            creg = await radio.command(commands.creg_query(), self.timeout)
            stats = [r.stat for r in creg.results if isinstance(r, Creg)]
            registered = registered_stat(int(stats[0])) if stats else None
            if stats and not registered:
                detail = f"not registered to the network (+CREG stat {int(stats[0])})"
        except CommandError as exc:
            # [unverified] a radio that refuses AT+CREG? (CME 4/35) still sends SDS;
            # fall back on what the session saw of unsolicited +CREG reports
            reg_stat = radio.health().reg_stat
            registered = True if reg_stat is None else registered_stat(reg_stat)
            log.debug("%s: AT+CREG? refused (%s); registration from the session", radio.name, exc)
        rssi: float | None = None
        try:
            csq = await radio.command(commands.csq(), self.timeout)
            for r in csq.results:
                if isinstance(r, Csq) and r.dbm is not None:
                    rssi = float(r.dbm)
        except CommandError as exc:  # signal is informative only (Sepura: CME 35)
            log.debug("%s: AT+CSQ? refused: %s", radio.name, exc)
        reinits = radio.health().reinit_count
        rebooted = reinits > self._reinits
        self._reinits = reinits
        return PollOutcome(
            answered=True, registered=registered, rssi_dbm=rssi, rebooted=rebooted, detail=detail
        )

    async def reinit(self) -> None:
        """Wait until the session finished its own re-initialisation (it is READY)."""
        await self.radio.wait_ready(self.timeout * 4)
        self._reinits = self.radio.health().reinit_count
