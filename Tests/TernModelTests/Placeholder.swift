// Tests for TernModel live beside this file, one file per concern.
