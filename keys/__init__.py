"""Key generation, rotation, signing, pseudonyms and codenames.

Pure code: bytes in, bytes out, time and randomness passed in. Key material
lives only in the data directory, read and written by ``relay.keystore``.
"""
