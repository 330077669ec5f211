// TernCompiler — see docs/ARCHITECTURE.md
