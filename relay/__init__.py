"""The relay: receives sealed reports, stores them encrypted, and runs the pipeline.

A report flows relay (receive, store) -> scrubber (clean) -> keys (pseudonym)
-> forwarders (deliver).
"""
