"""Positions people can use: GeoJSON features and distances.

``to_geojson`` turns any LIP PDU into a GeoJSON Feature (RFC 7946) whose
geometry is the reported point (``null`` when the PDU carries no position) and
whose properties are the PDU's JSON form.  ``distance_m`` is the great-circle
distance on a sphere of the WGS84 mean radius.

Pure: no I/O.
"""

from __future__ import annotations

import math
from typing import Any

from tetrakit.lip.jsonform import to_dict
from tetrakit.lip.pdus import LipPdu

__all__ = ["EARTH_MEAN_RADIUS_M", "distance_m", "to_geojson"]

#: Mean radius R1 = (2a + b) / 3 of the WGS84 ellipsoid, in metres.  On a
#: sphere of this radius great-circle distances are within about 0.5 % of the
#: ellipsoidal (geodesic) distance anywhere on Earth.
EARTH_MEAN_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres between two points given in degrees.

    Haversine formula on a sphere of :data:`EARTH_MEAN_RADIUS_M`; well
    conditioned for the short distances inside a hospital as for long ones.
    """
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi = phi2 - phi1
    dlmb = math.radians(lon2 - lon1)
    h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_MEAN_RADIUS_M * math.asin(min(1.0, math.sqrt(h)))


def to_geojson(pdu: LipPdu) -> dict[str, Any]:
    """A GeoJSON Feature for ``pdu``.

    The geometry is a Point ``[longitude, latitude]`` (with the altitude as a
    third coordinate when the report has one), or ``None`` for PDUs without
    a position.  ``properties`` is :func:`tetrakit.lip.to_dict` of the PDU,
    plus ``accuracy_m`` when the report bounds its horizontal error.
    """
    properties = to_dict(pdu)
    position = pdu.position
    geometry: dict[str, Any] | None = None
    if position is not None:
        coordinates = [position.longitude, position.latitude]
        if position.altitude_m is not None:
            coordinates.append(position.altitude_m)
        geometry = {"type": "Point", "coordinates": coordinates}
        if position.accuracy_m is not None:
            properties["accuracy_m"] = position.accuracy_m
    return {"type": "Feature", "geometry": geometry, "properties": properties}
