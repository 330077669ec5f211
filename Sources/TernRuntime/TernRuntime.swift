// TernRuntime — see docs/ARCHITECTURE.md
