// TernInflate — see docs/ARCHITECTURE.md
