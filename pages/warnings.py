"""预警中心: the alerts with their evidence, 确认 and 督办; forecasts, target projections, rule settings."""
import streamlit as st

from ui import state, warning_panels as wp
from ui.widgets import demo_banner, guard

v = state.view()
st.title("预警中心")
demo_banner(state.demo_datasets(v), {"observations", "hotline_tickets", "task_progress"})
if st.session_state.get("w_flash"):
    st.success(st.session_state.pop("w_flash"))
wp.level_counts(v)
wp.ensure_forecasts(v)  # starts the background fit once per data version, before slower panels
tab_list, tab_outlook, tab_rules = st.tabs(["预警列表", "预测与目标研判", "规则设置"])
with tab_list:
    with guard("预警列表"):
        shown = wp.alert_filters(v)
        wp.alert_table(v, shown)
        wp.alert_detail(v, shown)
with tab_outlook:
    wp.projections(v)
    wp.forecast_explorer(v)
with tab_rules:
    wp.rule_settings(v)
