// TernModel — see docs/ARCHITECTURE.md
