"""tetrakit: TETRA PEI, SDS and LIP toolkit and hospital alarm controller.

Only the names re-exported here and in the subpackages' ``__init__`` modules are
public API.
"""

from __future__ import annotations

from tetrakit.decode import decode, decode_status
from tetrakit.errors import (
    BusyError,
    CmsError,
    CommandError,
    ConfigError,
    DecodeError,
    EncodeError,
    NotRegisteredError,
    OutOfServiceError,
    ParameterError,
    PeiError,
    PeiProtocolError,
    PeiSyntaxError,
    PeiTimeoutError,
    PeiUsageError,
    SendFailedError,
    TetrakitError,
    TransportError,
    UnsupportedCommandError,
)
from tetrakit.identities import Tsi, format_tsi, parse_identity

__version__ = "0.1.0"

__all__ = [
    "BusyError",
    "CmsError",
    "CommandError",
    "ConfigError",
    "DecodeError",
    "EncodeError",
    "NotRegisteredError",
    "OutOfServiceError",
    "ParameterError",
    "PeiError",
    "PeiProtocolError",
    "PeiSyntaxError",
    "PeiTimeoutError",
    "PeiUsageError",
    "SendFailedError",
    "TetrakitError",
    "TransportError",
    "Tsi",
    "UnsupportedCommandError",
    "__version__",
    "decode",
    "decode_status",
    "format_tsi",
    "parse_identity",
]
