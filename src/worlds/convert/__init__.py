"""Stored records to protobuf messages: one module per resource family. Used by the API
surface and by the watch streams, so it sits below both."""
