// Tests for TernCompiler live beside this file, one file per concern.
