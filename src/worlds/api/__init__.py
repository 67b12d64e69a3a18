"""The API surface: the gRPC servicers (one module per resource family), validation from the
protos' field rules, authentication, conversion to protobuf, and the gRPC and HTTP listeners."""
