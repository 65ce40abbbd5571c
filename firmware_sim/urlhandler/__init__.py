"""pyserial URL handlers of the simulator (``tetrasim://``); see :mod:`.protocol_tetrasim`."""
