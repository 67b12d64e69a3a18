"""Generated from protos/worlds/v1 by scripts/gen-protos. Do not edit."""
