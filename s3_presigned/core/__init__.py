"""What every layer may use: the one gate, the failures, and the process's bound."""
