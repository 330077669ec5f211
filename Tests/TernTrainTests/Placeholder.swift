// Tests for TernTrain live beside this file, one file per concern.
