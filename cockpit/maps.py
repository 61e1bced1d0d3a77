"""Offline county maps (pydeck): outlines from the shipped GeoJSON, no basemap."""
from __future__ import annotations

import copy
from pathlib import Path

import pandas as pd
import pydeck as pdk

from . import geo
from .signals import LEVELS

# Light-to-dark blue: magnitude only, so it never reads as a good/bad or warning colour.
RAMP = [(222, 235, 247), (158, 202, 225), (107, 174, 214), (49, 130, 189), (8, 81, 156)]
NO_DATA = (220, 220, 220)


def _ramp(values: pd.Series) -> list[tuple[int, int, int]]:
    lo, hi = values.min(), values.max()
    out = []
    for v in values:
        if pd.isna(v):
            out.append(NO_DATA)
            continue
        i = 0 if hi == lo else int(round((v - lo) / (hi - lo) * (len(RAMP) - 1)))
        out.append(RAMP[i])
    return out


def choropleth(geojson: Path, values: pd.DataFrame, *, height: int = 460) -> pdk.Deck:
    """values: region_code, name, value, label. Counties without a value are grey."""
    doc = copy.deepcopy(geo.load(Path(geojson)))
    by_code = values.set_index("region_code")
    colours = dict(zip(by_code.index, _ramp(by_code["value"])))
    for f in doc["features"]:
        code = str(f["properties"]["code"])
        has = code in by_code.index
        f["properties"]["fill"] = list(colours.get(code, NO_DATA)) + [220]
        f["properties"]["label"] = str(by_code.at[code, "label"]) if has else "无数据"
    lon, lat = _centre(doc)
    layer = pdk.Layer("GeoJsonLayer", doc, pickable=True, stroked=True, filled=True,
                      get_fill_color="properties.fill", get_line_color=[255, 255, 255],
                      line_width_min_pixels=1.5)
    # map_provider=None and no map_style: nothing is fetched from the internet.
    return pdk.Deck(layers=[layer], map_provider=None,
                    initial_view_state=pdk.ViewState(longitude=lon, latitude=lat, zoom=7.6),
                    tooltip={"text": "{name}\n{label}"}, height=height)


def _centre(doc: dict) -> tuple[float, float]:
    xs, ys = [], []
    for f in doc["features"]:
        for poly in geo._polygons(f["geometry"]):
            for x, y in poly[0]:
                xs.append(x)
                ys.append(y)
    return (min(xs) + max(xs)) / 2, (min(ys) + max(ys)) / 2


# ---- 应急指挥 (appended) -------------------------------------------------------------------
def event_map(geojson: Path, events: pd.DataFrame, *, height: int = 520) -> pdk.Deck:
    """Events as points coloured by warning level (红橙黄蓝) over the county outlines.

    events: lon, lat, level, title, type, level_name, status, time. Tooltips use the
    "text" form, which deck.gl renders as text: a title can never inject HTML.
    """
    doc = geo.load(Path(geojson))
    outline = pdk.Layer("GeoJsonLayer", doc, pickable=False, stroked=True, filled=True,
                        get_fill_color=[240, 244, 248, 200], get_line_color=[90, 110, 130],
                        line_width_min_pixels=1.2)
    data = events.copy()
    if len(data):
        data["colour"] = [list(LEVELS[int(lv)].rgb) + [230] for lv in data["level"]]
        data["radius"] = [{1: 2600, 2: 2000, 3: 1500, 4: 1100}.get(int(lv), 1200) for lv in data["level"]]
        data["line"] = [[17, 17, 17] if s == "处置中" else [255, 255, 255] for s in data["status"]]
        # Only plain columns go to the browser (timestamps do not serialise).
        data = data[["lon", "lat", "colour", "radius", "line", "title", "type", "level_name", "status", "time"]]
    points = pdk.Layer("ScatterplotLayer", data, pickable=True, stroked=True, filled=True,
                       get_position=["lon", "lat"], get_fill_color="colour", get_line_color="line",
                       get_radius="radius", radius_min_pixels=4, radius_max_pixels=18,
                       line_width_min_pixels=1.5)
    lon, lat = _centre(doc)
    return pdk.Deck(layers=[outline, points], map_provider=None,
                    initial_view_state=pdk.ViewState(longitude=lon, latitude=lat, zoom=7.6),
                    tooltip={"text": "{title}\n{type} · {level_name}\n{status} · {time}"}, height=height)

