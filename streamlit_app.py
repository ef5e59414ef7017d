"""Drafter's browser UI. Run: streamlit run streamlit_app.py (or `make run`)."""

from drafter.ui.app import main

main()
