"""The leadership cockpit's domain core (the city is data/regions.csv's). Never imports streamlit."""
