"""worlds: synthetic Active Directory worlds as asynchronous jobs."""

__version__ = "0.1.0"
