// Tests for TernInflate live beside this file, one file per concern.
