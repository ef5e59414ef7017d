"""The Streamlit UI: pages that call DrafterService and nothing below it."""
