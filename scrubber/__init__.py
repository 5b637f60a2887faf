"""Scrubbers for text, files, location and time.

Pure functions on bytes and strings: no I/O, no clock, no global state.
"""
