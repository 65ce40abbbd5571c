"""Several radios: which one carries the next SDS (supervision-aware failover).

alarm-domain.md §7 rank 17: the radio or its serial cable is a single point of
failure, so the controller can have a primary, a secondary and more
(``radios:`` in the configuration, in preference order).
:class:`SupervisedRadioPool` implements the dispatcher's
:class:`~tetrakit.alarm.dispatcher.RadioPool` interface and answers one
question for the dispatcher, the fault reporter and the position requests:
*which radio now?*  A radio is usable when

* its session says it is (port open, initialised: ``is_healthy()``), and
* supervision does not consider it faulty (:mod:`tetrakit.alarm.supervision`).

A radio that just refused a send (:meth:`SupervisedRadioPool.report_failure`)
is *demoted*: the other usable radios come first, so an alarm in flight moves
at once to a healthy radio instead of waiting ``misses`` polls; the radio is
promoted again when supervision next sees it answer.  Demoted is not
excluded: with no other usable radio, trying the demoted one beats sending
nothing.

The pool holds no queue and sends nothing: the dispatcher keeps each SDS (with
its unique send key) until a radio accepted it and asks the pool again after a
failure, so no SDS is lost and none is written twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence

from tetrakit.alarm.dispatcher import RadioLink
from tetrakit.alarm.faults import NoRadioAvailable

__all__ = ["SupervisedRadioPool"]

log = logging.getLogger(__name__)


class SupervisedRadioPool:
    """Radios in preference order, filtered by supervision and recent failures.

    Args:
        radios: the radio links, first = primary.
        supervised_usable: supervision's verdict per radio id; set later by
            the operations code once supervision runs (True until then).
    """

    def __init__(
        self,
        radios: Sequence[RadioLink],
        *,
        supervised_usable: Callable[[str], bool] | None = None,
    ) -> None:
        if not radios:
            raise ValueError("a radio pool needs at least one radio")
        ids = [r.id for r in radios]
        if len(set(ids)) != len(ids):
            raise ValueError(f"duplicate radio ids in {ids}")
        self.radios = list(radios)
        self.supervised_usable: Callable[[str], bool] = supervised_usable or (lambda _id: True)
        #: radio id -> why it was demoted after a refused send
        self.demoted: dict[str, str] = {}
        self.listeners: list[Callable[[str, bool], None]] = []
        self._changed = asyncio.Event()

    @property
    def ids(self) -> list[str]:
        return [r.id for r in self.radios]

    def radio(self, radio_id: str) -> RadioLink:
        for r in self.radios:
            if r.id == radio_id:
                return r
        raise KeyError(radio_id)

    def _usable(self, radio: RadioLink) -> bool:
        return radio.is_healthy() and self.supervised_usable(radio.id)

    # -- the dispatcher's RadioPool interface --------------------------------------

    def healthy_radios(self) -> list[RadioLink]:
        """Usable radios: preference order, demoted ones last."""
        usable = [r for r in self.radios if self._usable(r)]
        return [r for r in usable if r.id not in self.demoted] + [
            r for r in usable if r.id in self.demoted
        ]

    def select(self) -> RadioLink | None:
        healthy = self.healthy_radios()
        return healthy[0] if healthy else None

    async def wait_changed(self, timeout: float) -> None:
        """Return when radio health may have changed, or after ``timeout`` s."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._changed.wait(), timeout)
        self._changed.clear()

    def report_failure(self, radio_id: str, reason: str) -> None:
        """A send through ``radio_id`` was refused at the radio: demote it."""
        if radio_id not in self.demoted:
            log.warning("radio %s demoted after a refused send: %s", radio_id, reason)
            self.demoted[radio_id] = reason
            self._notify(radio_id, False)

    # -- used by supervision, faults and positions ----------------------------------

    def notify_changed(self) -> None:
        """Radio health may have changed: wake a dispatcher waiting for a radio."""
        self._changed.set()

    def report_working(self, radio_id: str) -> None:
        """The radio answered a supervision poll: promote it again."""
        if self.demoted.pop(radio_id, None) is not None:
            log.info("radio %s takes traffic again", radio_id)
            self._notify(radio_id, True)

    def pick(self, avoid: Iterable[str] = ()) -> RadioLink:
        """The preferred usable radio not in ``avoid``; NoRadioAvailable if none."""
        skip = set(avoid)
        for radio in self.healthy_radios():
            if radio.id not in skip:
                return radio
        states = ", ".join(f"{r.id}: {self.why_not(r.id)}" for r in self.radios)
        raise NoRadioAvailable(f"no usable radio ({states})")

    def why_not(self, radio_id: str) -> str:
        """Why a radio is not preferred ("usable" when it is)."""
        radio = self.radio(radio_id)
        if not radio.is_healthy():
            return "session down"
        if not self.supervised_usable(radio_id):
            return "faulty (supervision)"
        if radio_id in self.demoted:
            return f"demoted: {self.demoted[radio_id]}"
        return "usable"

    def _notify(self, radio_id: str, up: bool) -> None:
        self._changed.set()
        for listener in list(self.listeners):
            try:
                listener(radio_id, up)
            except Exception:  # a broken listener must not stop failover
                log.exception("radio pool listener failed")
