"""Offline county maps (pydeck): outlines from the shipped GeoJSON, no basemap."""
from __future__ import annotations

import copy
import math
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pydeck as pdk

from . import geo
from .signals import LEVELS

# Light-to-dark blue: magnitude only, so it never reads as a good/bad or warning colour.
RAMP = [(222, 235, 247), (158, 202, 225), (107, 174, 214), (49, 130, 189), (8, 81, 156)]
NO_DATA = (220, 220, 220)
FONTS = '"WenQuanYi Micro Hei", "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif'


def _bucket(v: float, lo: float, hi: float) -> int:
    return 0 if hi == lo else int(round((v - lo) / (hi - lo) * (len(RAMP) - 1)))


def shades(values: pd.Series) -> list[tuple[int, int, int]]:
    """Each value's fill on RAMP (NO_DATA for a missing one): the pydeck and the Plotly maps alike."""
    lo, hi = values.min(), values.max()
    return [NO_DATA if pd.isna(v) else RAMP[_bucket(v, lo, hi)] for v in values]


def legend(values: pd.Series, fmt: Callable[[float], str]) -> list[tuple[tuple[int, int, int], str]]:
    """(colour, words) for every shade of the choropleth of `values`, lightest first, and 无数据
    when a county has none. The words are the range of values a shade stands for. A shade no
    county falls in is listed too: the ranges then run on without a gap, and a reader does not
    look for the counties between "1～3" and "5～7"."""
    known = values.dropna().astype(float)
    out: list[tuple[tuple[int, int, int], str]] = []
    if len(known):
        lo, hi = known.min(), known.max()
        if hi == lo:
            out.append((RAMP[0], fmt(lo)))
        else:
            step = (hi - lo) / (len(RAMP) - 1)
            for i, colour in enumerate(RAMP):
                low, high = max(lo, lo + (i - 0.5) * step), min(hi, lo + (i + 0.5) * step)
                out.append((colour, f"{fmt(low)} ～ {fmt(high)}"))
    if values.isna().any() or not len(known):
        out.append((NO_DATA, "无数据"))
    return out


def key_rows(heading: str, entries: list[tuple[tuple[int, int, int], str]], per_row: int = 2) -> list[str]:
    """A key (legend) as the lines of a Plotly annotation: its heading, then `per_row` shades a line
    (two fit the narrowest map, a laptop's half column)."""
    items = [f"<span style='color:rgb{tuple(c)}'>■</span> {t}" for c, t in entries]
    return [heading, *("　　".join(items[i:i + per_row]) for i in range(0, len(items), per_row))]


def fit_zoom(doc: dict, width: int, height: int, margin: float = 0.9) -> float:
    """The zoom at which the outlines fill a `width` × `height` pixel map (deck.gl: the world is
    512 px wide at zoom 0), so a narrow column shows every county whole."""
    xs, ys = _extent(doc)
    merc = [math.log(math.tan(math.pi / 4 + math.radians(y) / 2)) for y in ys]
    dx = (max(xs) - min(xs)) / 360
    dy = (max(merc) - min(merc)) / (2 * math.pi)
    return round(math.log2(margin * min(width / (512 * dx), height / (512 * dy))), 2)


def _labels(geojson: Path, doc: dict) -> pdk.Layer:
    """County names at their centroids: drawn from the system's fonts (no font is fetched)."""
    centres = geo.centroids(Path(geojson))
    rows = [{"name": str(f["properties"].get("name", "")), "lon": centres[str(f["properties"]["code"])][0],
             "lat": centres[str(f["properties"]["code"])][1]} for f in doc["features"]
            if str(f["properties"]["code"]) in centres]
    chars = sorted({ch for r in rows for ch in r["name"]})
    return pdk.Layer("TextLayer", pd.DataFrame(rows), get_position=["lon", "lat"], get_text="name", get_size=14,
                     get_color=[33, 37, 41], get_text_anchor=pdk.types.String("middle"),
                     get_alignment_baseline=pdk.types.String("center"),
                     character_set=pdk.types.String("".join(chars)), font_family=pdk.types.String(FONTS),
                     font_settings={"sdf": True}, outline_width=4, outline_color=[255, 255, 255, 230],
                     pickable=False)


def choropleth(geojson: Path, values: pd.DataFrame, *, height: int = 460, width: int = 560) -> pdk.Deck:
    """values: region_code, name, value, label. Counties without a value are grey; each is named.
    `width`: about the narrowest the map is drawn at; the zoom fits the city into it."""
    doc = copy.deepcopy(geo.load(Path(geojson)))
    by_code = values.set_index("region_code")
    colours = dict(zip(by_code.index, shades(by_code["value"])))
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
    return pdk.Deck(layers=[layer, _labels(geojson, doc)], map_provider=None,
                    initial_view_state=pdk.ViewState(longitude=lon, latitude=lat,
                                                     zoom=fit_zoom(doc, width, height)),
                    tooltip={"text": "{name}\n{label}"}, height=height)


def _extent(doc: dict) -> tuple[list[float], list[float]]:
    xs, ys = [], []
    for f in doc["features"]:
        for poly in geo._polygons(f["geometry"]):
            for x, y in poly[0]:
                xs.append(x)
                ys.append(y)
    return [min(xs), max(xs)], [min(ys), max(ys)]


def _centre(doc: dict) -> tuple[float, float]:
    xs, ys = _extent(doc)
    return (xs[0] + xs[1]) / 2, (ys[0] + ys[1]) / 2


# ---- 应急指挥 (appended) -------------------------------------------------------------------
def event_map(geojson: Path, events: pd.DataFrame, *, height: int = 520, width: int = 560) -> pdk.Deck:
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
    return pdk.Deck(layers=[outline, _labels(geojson, doc), points], map_provider=None,
                    initial_view_state=pdk.ViewState(longitude=lon, latitude=lat, zoom=fit_zoom(doc, width, height)),
                    tooltip={"text": "{title}\n{type} · {level_name}\n{status} · {time}"}, height=height)

