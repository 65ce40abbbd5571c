"""An in-memory radio link for controller tests (the end-to-end tests use the simulator)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

from tetrakit import sds
from tetrakit.errors import BusyError


@dataclass
class Written:
    destination: int
    group: bool
    access_priority: int
    pdu: sds.SdsTransfer


class FakeHandle:
    def __init__(self) -> None:
        self.accepted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.result: asyncio.Future[bool] = asyncio.get_running_loop().create_future()

    async def wait_accepted(self) -> None:
        await self.accepted

    async def wait_result(self) -> bool:
        return await self.result


@dataclass
class FakeRadio:
    """Accepts and sends everything at once unless told otherwise."""

    id: str = "fake"
    healthy: bool = True
    auto: bool = True
    busy_times: int = 0
    written: list[Written] = field(default_factory=list)
    handles: list[FakeHandle] = field(default_factory=list)
    wrote: asyncio.Event = field(default_factory=asyncio.Event)

    def is_healthy(self) -> bool:
        return self.healthy

    async def send_sds(self, destination: int, data: bytes, bits: int, *, group: bool,
                       access_priority: int) -> FakeHandle:
        if self.busy_times > 0:
            self.busy_times -= 1
            raise BusyError("AT+CMGS", 42)
        pdu = sds.decode(data, bits)
        assert isinstance(pdu, sds.SdsTransfer)
        self.written.append(Written(destination, group, access_priority, pdu))
        h = FakeHandle()
        self.handles.append(h)
        if self.auto:
            h.accepted.set_result(None)
            h.result.set_result(True)
        self.wrote.set()
        return h

    async def wait_written(self, n: int) -> None:
        while len(self.written) < n:
            self.wrote.clear()
            await self.wrote.wait()
