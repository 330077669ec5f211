// Tests for TernRuntime live beside this file, one file per concern.
