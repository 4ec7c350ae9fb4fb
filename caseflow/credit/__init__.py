"""The credit register (信用记录): repeat and wilful infringers, publication and repair (credit.md)."""
