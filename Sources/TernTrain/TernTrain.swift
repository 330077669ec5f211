// TernTrain — see docs/ARCHITECTURE.md
