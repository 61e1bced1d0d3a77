"""商丘市数字政府领导驾驶舱: the domain core. Never imports streamlit."""
