"""Extensa's Python runtime.

Scripts run by sp_execute_external_script may `import extensa`; the satellite's machinery
lives in the underscore modules (_wire, _columns, _convert, _capture, _satellite, _forkserver).
"""

__version__ = "0.1.0"
