"""Coordinates as Chinese map services keep them, back to WGS-84 (what the cockpit's maps draw).

Systems built on 高德 or 腾讯 maps store GCJ-02, on 百度 maps BD-09; both are offset from WGS-84 by
a few hundred metres to a kilometre, enough to put an event on the wrong bank of a river when the
emergency map is zoomed in. PROJ leaves these datums out on purpose and no maintained Python
package does more than these few lines, so they are here: the published GCJ-02 offset (as in
eviltransform, public domain), inverted by iteration to well under a metre, and Baidu's rotation.
Outside China there is no offset (GCJ-02 is defined inside it only).
"""
from __future__ import annotations

import numpy as np

DATUMS = {"wgs84": "WGS-84（GPS、天地图）", "gcj02": "GCJ-02（高德、腾讯地图）", "bd09": "BD-09（百度地图）"}
_A = 6378245.0  # the Krasovsky ellipsoid GCJ-02 is built on
_EE = 0.00669342162296594323
_X_PI = np.pi * 3000.0 / 180.0


def check(datum: str) -> str:
    if datum not in DATUMS:
        raise ValueError(f"coordinates 应为 {'、'.join(DATUMS)}（{'；'.join(DATUMS.values())}），现为“{datum}”")
    return datum


def _in_china(lon, lat):
    return (lon > 72.004) & (lon < 137.8347) & (lat > 0.8293) & (lat < 55.8271)


def _offset(lon, lat):
    """GCJ-02 minus WGS-84 at (lon, lat), in degrees."""
    x, y = lon - 105.0, lat - 35.0
    d = 20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)
    dlat = d + 20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi) \
        + 160.0 * np.sin(y / 12.0 * np.pi) + 320.0 * np.sin(y / 30.0 * np.pi)
    dlon = d + 20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi) \
        + 150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)
    dlat = dlat * 2.0 / 3.0 - 100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * np.sqrt(np.abs(x))
    dlon = dlon * 2.0 / 3.0 + 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * np.sqrt(np.abs(x))
    rad = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(rad) ** 2
    dlat = dlat * 180.0 / ((_A * (1 - _EE)) / (magic * np.sqrt(magic)) * np.pi)
    dlon = dlon * 180.0 / (_A / np.sqrt(magic) * np.cos(rad) * np.pi)
    inside = _in_china(lon, lat)
    return np.where(inside, dlon, 0.0), np.where(inside, dlat, 0.0)


def wgs84_to_gcj02(lon, lat):
    dlon, dlat = _offset(np.asarray(lon, float), np.asarray(lat, float))
    return lon + dlon, lat + dlat


def gcj02_to_wgs84(lon, lat):
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    wlon, wlat = lon.copy(), lat.copy()
    for _ in range(4):  # each step shrinks the error about a hundredfold
        glon, glat = wgs84_to_gcj02(wlon, wlat)
        wlon, wlat = wlon + (lon - glon), wlat + (lat - glat)
    return wlon, wlat


def bd09_to_gcj02(lon, lat):
    x, y = np.asarray(lon, float) - 0.0065, np.asarray(lat, float) - 0.006
    z = np.sqrt(x * x + y * y) - 0.00002 * np.sin(y * _X_PI)
    theta = np.arctan2(y, x) - 0.000003 * np.cos(x * _X_PI)
    return z * np.cos(theta), z * np.sin(theta)


def to_wgs84(lon, lat, datum: str):
    """(lon, lat) arrays in `datum` as WGS-84; NaN stays NaN."""
    if datum == "wgs84":
        return np.asarray(lon, float), np.asarray(lat, float)
    if datum == "bd09":
        lon, lat = bd09_to_gcj02(lon, lat)
    return gcj02_to_wgs84(lon, lat)
