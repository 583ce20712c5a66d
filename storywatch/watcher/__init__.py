"""Fetching, extraction, scheduling: everything that talks to the web."""
