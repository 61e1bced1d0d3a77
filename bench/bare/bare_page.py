"""The floor for page load and cold start: a bare Streamlit page with one Plotly figure."""
import plotly.express as px
import streamlit as st

st.title("空白页")
st.plotly_chart(px.line(x=list(range(30)), y=[i % 7 for i in range(30)]))
