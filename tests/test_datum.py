"""GCJ-02 and BD-09 back to WGS-84 (cockpit.datum), against the pairs the public converters publish
(coordtransform: 116.404, 39.915 in each direction)."""
from __future__ import annotations

import numpy as np
import pytest

from cockpit import datum


def test_the_forward_offsets_give_the_published_pairs():
    assert datum.wgs84_to_gcj02(116.404, 39.915) == pytest.approx((116.41024449916938, 39.91640428150164), abs=1e-9)
    assert datum.bd09_to_gcj02(116.404, 39.915) == pytest.approx((116.39762729119315, 39.90865673957631), abs=1e-9)


def test_back_to_wgs84_within_a_centimetre_over_the_city_and_nothing_moves_outside_china():
    rng = np.random.default_rng(7)
    lon, lat = rng.uniform(114.8, 116.7, 500), rng.uniform(33.7, 34.9, 500)  # Shangqiu and around
    back = datum.gcj02_to_wgs84(*datum.wgs84_to_gcj02(lon, lat))
    assert np.abs(back[0] - lon).max() < 1e-7 and np.abs(back[1] - lat).max() < 1e-7  # about a centimetre
    moved = np.hypot(*(np.subtract(datum.wgs84_to_gcj02(lon, lat), (lon, lat)) * [[92_000], [111_000]]))
    assert 300 < moved.min() and moved.max() < 800  # the few hundred metres a map service shifts Shangqiu by
    assert datum.to_wgs84(np.array([2.35]), np.array([48.85]), "gcj02") == (2.35, 48.85)  # Paris: no offset
    with pytest.raises(ValueError, match="coordinates 应为 wgs84、gcj02、bd09"):
        datum.check("baidu")
