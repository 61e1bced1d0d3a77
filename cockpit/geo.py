"""County outlines: loading the shipped GeoJSON and simple geometry on it.

The geometry needs are small (centroids, point-in-polygon for demo points), so
this stays numpy-only rather than pulling in shapely at run time.
"""
from __future__ import annotations

import json
import math
from functools import lru_cache
from pathlib import Path

import numpy as np


@lru_cache(maxsize=4)
def load(path: Path) -> dict:
    with Path(path).open(encoding="utf-8") as fh:
        doc = json.load(fh)
    if doc.get("type") != "FeatureCollection":
        raise ValueError(f"边界文件 {path} 不是 GeoJSON FeatureCollection")
    return doc


def _polygons(geometry: dict) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    raise ValueError(f"不支持的几何类型：{geometry['type']}")


def county_rings(path: Path) -> tuple[dict[str, tuple[list, list]], float]:
    """Each county's outer rings as x (longitude shrunk by cos(latitude), so that shapes keep their
    proportions on an equal-scale plot) and y, rings separated by None; and that factor. The
    Plotly maps' shapes (cockpit.map_charts.county_map, ui/screen/maps.py)."""
    outer = {code: [poly[0] for poly in _polygons(f["geometry"])] for code, f in features_by_code(Path(path)).items()}
    lats = [pt[1] for rings in outer.values() for ring in rings for pt in ring]
    k = math.cos(math.radians((min(lats) + max(lats)) / 2))
    out = {}
    for code, rings in outer.items():
        xs, ys = [], []
        for ring in rings:
            xs += [pt[0] * k for pt in ring] + [None]
            ys += [pt[1] for pt in ring] + [None]
        out[code] = (xs, ys)
    return out, k


def _ring_area_centroid(ring: np.ndarray) -> tuple[float, float, float]:
    x, y = ring[:, 0], ring[:, 1]
    cross = x[:-1] * y[1:] - x[1:] * y[:-1]
    a = cross.sum() / 2
    if a == 0:
        return 0.0, float(x.mean()), float(y.mean())
    cx = ((x[:-1] + x[1:]) * cross).sum() / (6 * a)
    cy = ((y[:-1] + y[1:]) * cross).sum() / (6 * a)
    return abs(a), float(cx), float(cy)


def centroids(path: Path) -> dict[str, tuple[float, float]]:
    """Area-weighted centroid of each feature's outer rings, keyed by code."""
    if not Path(path).is_file():
        return {}
    out = {}
    for f in load(Path(path))["features"]:
        parts = [_ring_area_centroid(np.asarray(p[0], dtype=float)) for p in _polygons(f["geometry"])]
        total = sum(a for a, _, _ in parts)
        out[str(f["properties"]["code"])] = (
            round(sum(a * cx for a, cx, _ in parts) / total, 5),
            round(sum(a * cy for a, _, cy in parts) / total, 5))
    return out


def _in_ring(px: np.ndarray, py: np.ndarray, ring: np.ndarray) -> np.ndarray:
    # Even-odd ray casting, vectorised over the points.
    inside = np.zeros(px.shape, dtype=bool)
    x0, y0 = ring[:-1, 0], ring[:-1, 1]
    x1, y1 = ring[1:, 0], ring[1:, 1]
    for ax, ay, bx, by in zip(x0, y0, x1, y1):
        crosses = (ay > py) != (by > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            xint = ax + (py - ay) * (bx - ax) / (by - ay)
        inside ^= crosses & (px < xint)
    return inside


def contains(geometry: dict, lon: np.ndarray, lat: np.ndarray) -> np.ndarray:
    lon, lat = np.asarray(lon, float), np.asarray(lat, float)
    result = np.zeros(lon.shape, dtype=bool)
    for poly in _polygons(geometry):
        inside = _in_ring(lon, lat, np.asarray(poly[0], float))
        for hole in poly[1:]:
            inside &= ~_in_ring(lon, lat, np.asarray(hole, float))
        result |= inside
    return result


def features_by_code(path: Path) -> dict[str, dict]:
    return {str(f["properties"]["code"]): f for f in load(Path(path))["features"]}


def random_points(feature: dict, n: int, rng: np.random.Generator) -> np.ndarray:
    """n points uniformly inside a feature (rejection sampling on its bounding box)."""
    coords = np.concatenate([np.asarray(p[0], float) for p in _polygons(feature["geometry"])])
    (xmin, ymin), (xmax, ymax) = coords.min(0), coords.max(0)
    found: list[np.ndarray] = []
    count = 0
    while count < n:
        cand = np.column_stack([rng.uniform(xmin, xmax, 4 * n), rng.uniform(ymin, ymax, 4 * n)])
        ok = cand[contains(feature["geometry"], cand[:, 0], cand[:, 1])]
        found.append(ok)
        count += len(ok)
    return np.concatenate(found)[:n]
