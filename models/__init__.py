"""Forecasting, early warning and target projection: pure functions over frames."""
